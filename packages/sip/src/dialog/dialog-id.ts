import type { SipRequest, SipResponse } from "../message/types.ts";

/**
 * What identifies a dialog at one UA. A missing tag (RFC 2543 peers) is undefined.
 *
 * @remarks RFC 3261 §12: "A dialog is identified at each UA with a dialog ID, which consists of
 * a Call-ID value, a local tag and a remote tag. The dialog ID at each UA involved in the dialog
 * is not the same. Specifically, the local tag at one UA is identical to the remote tag at the
 * peer UA."
 */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string | undefined;
  readonly remoteTag: string | undefined;
}

/**
 * The dialog ID of a request this UA received (it is the UAS of that request).
 *
 * @remarks RFC 3261 §12: "As one would expect for a UAS, the Call-ID value of the dialog ID is
 * set to the Call-ID of the message, the remote tag is set to the tag in the From field of the
 * message, and the local tag is set to the tag in the To field of the message."
 */
export function dialogIdOfRequest(request: SipRequest): DialogId {
  const headers = request.headers;
  return {
    callId: headers.callId(),
    localTag: headers.to().params.get("tag") ?? undefined,
    remoteTag: headers.from().params.get("tag") ?? undefined,
  };
}

/**
 * The dialog ID of a response this UA received (it is the UAC of that transaction).
 *
 * @remarks RFC 3261 §12: "For a UAC, the Call-ID value of the dialog ID is set to the Call-ID of
 * the message, the remote tag is set to the tag in the To field of the message, and the local tag
 * is set to the tag in the From field of the message (these rules apply to both requests and
 * responses)."
 */
export function dialogIdOfResponse(response: SipResponse): DialogId {
  const headers = response.headers;
  return {
    callId: headers.callId(),
    localTag: headers.from().params.get("tag") ?? undefined,
    remoteTag: headers.to().params.get("tag") ?? undefined,
  };
}
