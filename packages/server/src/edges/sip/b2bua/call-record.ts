import type { CallStats } from "@zaqros/media";
import type { SipRequest, SipResponse } from "@zaqros/sip";
import type { Admission } from "../admission/admission.types.ts";

/** Why a call ended, as a CDR says it. */
export type HangupCause =
  | "caller"
  | "callee"
  | "failed"
  | "no-answer"
  | "system-credit"
  | "system-media"
  | "system-shutdown";

/** What the B2BUA knows of a finished call attempt; billing turns it into a CDR. */
export interface CallRecord {
  id: string;
  admission: Admission;
  carrierId: string | undefined;
  startedAt: Date;
  answeredAt: Date | undefined;
  endedAt: Date;
  durationSeconds: number;
  finalStatus: number;
  hangupCause: HangupCause;
  media: CallStats | undefined;
}

const decoder = new TextDecoder();

/** The SDP body of a message, or undefined when it has none. */
export function sipText(message: SipRequest | SipResponse): string | undefined {
  if (message.body.length === 0) return undefined;
  const type = message.headers.first("content-type")?.toLowerCase() ?? "";
  if (!type.startsWith("application/sdp")) return undefined;
  return decoder.decode(message.body);
}
