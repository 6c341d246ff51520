import type { CallDirection } from "../../db/schema.ts";
import type { Cdr, HangupBy } from "../cdr/cdr.types.ts";
import type { CallRate } from "../rating/rating.types.ts";

export interface Admission {
  /** The Call-ID of the customer's leg; one call in progress (and later one CDR) per id. */
  callId: string;
  /** The account that pays: the caller's, or for inbound calls the called number's owner. */
  accountId: string;
  /** The node handling the call, so its calls can be closed if it dies. */
  nodeId: string;
  direction: CallDirection;
  /** E.164 */
  source: string;
  /** E.164 */
  destination: string;
  rate: CallRate;
  deviceId?: string | undefined;
  carrierId?: string | undefined;
}

export interface Authorisation {
  callId: string;
  /** Seconds of talk after answer the credit now held pays for; cut the call here unless extended. */
  coveredSeconds: number;
  /** Micro-units held for the call. */
  reserved: number;
  /**
   * The longest the call could last on the credit available at admission (capped by the maximum
   * call duration): what the caller may be told.
   */
  maxSeconds: number;
}

export interface Extension {
  callId: string;
  coveredSeconds: number;
  reserved: number;
  /** False when no more credit could be held: the call must end at `coveredSeconds`. */
  extended: boolean;
}

export interface CallOutcome {
  /** When the call ended; default now. */
  endedAt?: Date | undefined;
  /** When it was answered, if it was and markAnswered was not called. */
  answeredAt?: Date | undefined;
  /** The final SIP status; null when none was sent. */
  sipStatus: number | null;
  hangupBy: HangupBy;
  /** The carrier that took the call, when known only at the end (after failover). */
  carrierId?: string | undefined;
}

/** What finishing a call did. */
export interface FinishedCall {
  cdr: Cdr;
  /** False when the call had been finished before: nothing was written this time. */
  written: boolean;
}

export interface CallInProgress {
  callId: string;
  accountId: string;
  nodeId: string;
  deviceId: string | null;
  direction: CallDirection;
  source: string;
  destination: string;
  carrierId: string | null;
  rate: CallRate;
  reserved: number;
  coveredSeconds: number;
  startedAt: string;
  answeredAt: string | null;
  lastHeartbeatAt: string;
}
