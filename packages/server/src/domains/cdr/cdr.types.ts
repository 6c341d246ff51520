import type { CallDirection } from "../../db/schema.ts";

export type { CallDirection };

/**
 * Who ended the call: one of its parties, or Zaqros itself and why (credit ran out, the maximum
 * duration or no-answer timer fired, media stopped, an internal error, or the node handling the
 * call died and the call was closed from its last heartbeat).
 */
export type HangupBy =
  | "caller"
  | "callee"
  | "system-credit"
  | "system-timeout"
  | "system-media"
  | "system-error"
  | "system-recovery";

/** One call attempt, answered or not, with what it cost. */
export interface Cdr {
  id: string;
  /** The Call-ID of the customer's leg; one record per attempt. */
  callId: string;
  accountId: string;
  deviceId: string | null;
  direction: CallDirection;
  /** E.164 */
  source: string;
  /** E.164 */
  destination: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string;
  /** Whole seconds from answer to end; 0 when not answered. */
  durationSeconds: number;
  billedSeconds: number;
  /** Micro-units of `currency`. */
  cost: number;
  currency: string;
  carrierId: string | null;
  /** The final SIP status; null when none was ever sent (the node died first). */
  sipStatus: number | null;
  hangupBy: HangupBy;
  /** The node that handled the call. */
  nodeId: string;
  planId: string | null;
  ratePrefix: string | null;
}

export interface CdrQuery {
  /** Calls started at or after this instant. */
  from: Date;
  /** Calls started before this instant. */
  to: Date;
  accountId?: string | undefined;
  /** Only calls from or to this number (E.164, compared exactly). */
  number?: string | undefined;
  /** Only calls that were answered, or only those that were not. */
  status?: CallOutcome | undefined;
}

/** Whether a call was answered: the status filter of call listings. */
export type CallOutcome = "answered" | "unanswered";

export interface CdrPage {
  items: Cdr[];
  /** Pass back as `cursor` for the next page; undefined on the last page. */
  nextCursor: string | undefined;
}

export interface RerateResult {
  runId: string;
  /** Answered calls looked at. */
  checked: number;
  /** Calls whose cost changed; each gave one ledger adjustment. */
  changed: number;
  /** Sum of the cost changes in micro-units (positive: customers owe more). */
  difference: number;
  /** Calls that could not be rerated, with why (plan gone, no rate, account erased...). */
  skipped: Array<{ cdrId: string; reason: string }>;
}
