import type { ErrorCatalogue } from "../domain-error.ts";

export const LEDGER_ERRORS = {
  "LEDGER.INVALID_AMOUNT": "The amount is not a non-zero decimal (or whole micro-units) within range.",
  "LEDGER.INVALID_ENTRY":
    "A ledger entry lacks a reason or actor, or one is too long (details.field says which).",
  "LEDGER.CURRENCY_MISMATCH": "The amount's currency is not the currency of the account's balance.",
  "LEDGER.ENTRY_NOT_FOUND": "No ledger entry has that id.",
} as const satisfies ErrorCatalogue<string>;

export type LedgerErrorCode = keyof typeof LEDGER_ERRORS;
