import type { ErrorCatalogue } from "../domain-error.ts";

/** Credit control's codes; the SIP edge maps INSUFFICIENT_FUNDS to 402 Payment Required. */
export const BILLING_ERRORS = {
  "BILLING.INSUFFICIENT_FUNDS":
    "The available credit (balance less what calls in progress hold) does not pay for the first billing increment.",
  "BILLING.CURRENCY_MISMATCH": "The call's rate is in a currency other than the account's balance.",
  "BILLING.CALL_NOT_FOUND": "No call in progress has that Call-ID (it never started or has ended).",
  "BILLING.CALL_EXISTS": "A call in progress already has that Call-ID.",
} as const satisfies ErrorCatalogue<string>;

export type BillingErrorCode = keyof typeof BILLING_ERRORS;
