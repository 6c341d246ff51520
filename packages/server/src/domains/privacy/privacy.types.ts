import type { ErasureReport } from "./erasure.ts";

export type PrivacyRequestKind =
  | "access"
  | "erasure"
  | "restriction"
  | "objection"
  | "rectification"
  | "child-report";

/**
 * ```
 * access, restriction, objection, rectification:  received -> completed | refused
 * erasure:       cooling-off -> completed            (the customer may cancel: -> cancelled)
 * child-report:  awaiting-confirmation -> completed (account suspended, erasure run) | refused
 * ```
 */
export type PrivacyRequestStatus =
  | "received"
  | "cooling-off"
  | "awaiting-confirmation"
  | "completed"
  | "cancelled"
  | "refused";

export interface RequestEvent {
  at: string;
  /** `customer`, `system`, `reporter` or `staff:<name>`. */
  actor: string;
  event: string;
  note: string | null;
}

export interface PrivacyRequest {
  id: string;
  accountId: string | null;
  kind: PrivacyRequestKind;
  status: PrivacyRequestStatus;
  receivedAt: string;
  /** One month from receipt (GDPR Art. 12(3)); three once extended. */
  dueAt: string;
  extendedAt: string | null;
  /** Erasure: when the cooling-off period ends and the erasure runs. */
  executeAfter: string | null;
  closedAt: string | null;
  details: string | null;
  reporterEmail: string | null;
  result: ErasureResult | Record<string, unknown> | null;
  history: RequestEvent[];
}

/** What an erasure did, as the customer is told: per dataset, and what was outstanding. */
export interface ErasureResult extends ErasureReport {
  outstanding: OutstandingMatters;
}

/** Matters an erasure states but is not held up by (an unpaid balance, an open dispute). */
export interface OutstandingMatters {
  /** Micro-units; negative means the customer owes it. */
  balance: number;
  currency: string;
  unpaidBalance: boolean;
  openDisputes: number;
  statements: string[];
}

export interface ExportInfo {
  id: string;
  requestId: string;
  status: "building" | "ready" | "failed" | "expired";
  createdAt: string;
  readyAt: string | null;
  expiresAt: string | null;
  sizeBytes: number | null;
}

export interface ConsentEntry {
  id: string;
  purpose: string;
  version: string;
  noticeText: string | null;
  givenAt: string;
  withdrawnAt: string | null;
  /** Terms and Privacy Policy acceptances are part of the contract: recorded, not withdrawable. */
  withdrawable: boolean;
}

export interface ConsentState {
  purpose: string;
  title: string;
  version: string;
  text: string;
  given: boolean;
}

export interface ProcessingPreferences {
  /** Since when processing is restricted (GDPR Art. 18); null when not. */
  restrictedAt: string | null;
  /** Since when the customer objects (GDPR Art. 21); null when not. */
  objectedAt: string | null;
}

export interface PrivacyPolicyOptions {
  /** Days between an erasure request and its execution, during which the customer can cancel. */
  erasureCoolingOffDays: number;
  /** Hours a ready archive can be downloaded. */
  exportTtlHours: number;
  /** Archives of more rows than this are built in the background, with a mail when ready. */
  exportInlineRowLimit: number;
}

export const DEFAULT_PRIVACY_POLICY_OPTIONS: PrivacyPolicyOptions = {
  erasureCoolingOffDays: 14,
  exportTtlHours: 72,
  exportInlineRowLimit: 20_000,
};
