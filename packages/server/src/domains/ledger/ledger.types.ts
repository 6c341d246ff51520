import type { LedgerEntryKind } from "../../db/schema.ts";

export type { LedgerEntryKind };

/** One append-only line of an account's ledger; money in signed micro-units. */
export interface LedgerEntry {
  id: number;
  accountId: string;
  kind: LedgerEntryKind;
  /** Credits positive, charges negative. */
  amount: number;
  /** The balance once this entry was applied. */
  balanceAfter: number;
  currency: string;
  reason: string | null;
  /** Who made the entry: `system`, `cli:<user>`, `staff:<id>`, `rerate:<run>`... */
  actor: string;
  /** What the entry is for (a CDR, a payment, an entry reversed); unique per kind. */
  reference: string | null;
  createdAt: string;
}

export interface NewLedgerEntry {
  accountId: string;
  kind: LedgerEntryKind;
  amount: number;
  reason?: string | null | undefined;
  actor: string;
  /** Makes the entry idempotent: a second post with the same kind and reference changes nothing. */
  reference?: string | null | undefined;
  /** When given, the account's currency must be this one. */
  currency?: string | undefined;
}

export interface PostedEntry {
  entry: LedgerEntry;
  /** True when an entry with the same kind and reference existed, so nothing was posted. */
  duplicate: boolean;
}

export interface Balance {
  accountId: string;
  /** Micro-units; may be below zero after calls cut late or debit adjustments. */
  balance: number;
  currency: string;
}

/** A balance that disagrees with the sum of its ledger, or an entry whose balance_after is wrong. */
export interface BalanceMismatch {
  accountId: string;
  /** The kept balance; null when the account has entries but no balance row. */
  stored: number | null;
  fromLedger: number;
}

export interface BrokenEntry {
  entryId: number;
  accountId: string;
  balanceAfter: number;
  /** The sum of the account's entries up to and including this one. */
  expected: number;
}

export interface BalanceCheck {
  ok: boolean;
  accountsChecked: number;
  entriesChecked: number;
  mismatches: BalanceMismatch[];
  /** At most the first 100. */
  brokenEntries: BrokenEntry[];
}

/** Recorded when a ledger entry takes a balance from at or above the account's threshold to below it. */
export interface BalanceWarning {
  id: string;
  accountId: string;
  threshold: number;
  balance: number;
  currency: string;
  ledgerEntryId: number;
  createdAt: string;
  notifiedAt: string | null;
}
