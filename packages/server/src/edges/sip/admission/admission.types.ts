import type { SipResponse } from "@zaqros/sip";
import type { Binding } from "../../../domains/registrations/registrations.types.ts";
import type { Carrier, RouteCandidate } from "../../../domains/routing/routing.types.ts";
import type { CallerIdentity } from "../b2bua/leg-request.ts";

/** Who placed the call. */
export type CallingParty =
  | {
      kind: "device";
      accountId: string;
      deviceId: string;
      username: string;
      country: string;
      /** The account's default caller ID, read with the account when the caller was identified. */
      callerId: string | null;
    }
  | { kind: "carrier"; carrier: Carrier };

/** Where the call goes: every registered phone of an account at once, or carriers one after another. */
export type CallTarget =
  | { kind: "phones"; accountId: string; bindings: Binding[] }
  | { kind: "carriers"; routes: RouteCandidate[] };

export type CallDirection = "outbound" | "inbound" | "onnet";

export interface Admission {
  caller: CallingParty;
  direction: CallDirection;
  /** The account that pays: the caller's for outbound and on-net calls, the callee's for inbound. */
  billedAccountId: string;
  /** Caller's number (E.164) or SIP user. */
  source: string;
  /** Called number, E.164. */
  destination: string;
  identity: CallerIdentity;
  target: CallTarget;
  /** The longest the call may last once answered; undefined means no limit. */
  maxDurationSeconds: number | undefined;
  /** Billing's handle for the call's credit reservation, when billing authorised it. */
  creditHandle: string | undefined;
}

export type AdmissionResult =
  | { admitted: true; admission: Admission }
  | {
      admitted: false;
      response: SipResponse;
      reason: string;
      /** Set when the caller was a known device: the refusal still leaves a CDR. */
      attempt?: { accountId: string; deviceId: string; username: string; dialled: string } | undefined;
    };
