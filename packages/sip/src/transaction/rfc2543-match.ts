import type { NameAddr, SipRequest } from "../message/types.ts";
import { sameUri } from "./same-uri.ts";
import { sameVia } from "./same-via.ts";
import type { ServerTransaction } from "./server-transaction.ts";

/** The index under which RFC 2543 server transactions are filed: Call-ID and CSeq number. */
export function rfc2543Key(request: SipRequest): string {
  return `${request.headers.callId()}\u0000${request.headers.cseq().seq}`;
}

/**
 * Whether a request whose top Via has no RFC 3261 branch belongs to a server transaction.
 *
 * @param asCancelTarget match a CANCEL against the transaction it cancels (RFC 3261 §9.2)
 * rather than against its own transaction.
 * @remarks RFC 3261 §17.2.3: "The INVITE request matches a transaction if the Request-URI, To
 * tag, From tag, Call-ID, CSeq, and top Via header field match those of the INVITE request which
 * created the transaction." / "The ACK request matches a transaction if the Request-URI, From
 * tag, Call-ID, CSeq number (not the method), and top Via header field match those of the INVITE
 * request which created the transaction, and the To tag of the ACK matches the To tag of the
 * response sent by the server transaction." / "For all other request methods, a request is
 * matched to a transaction if the Request-URI, To tag, From tag, Call-ID, CSeq (including the
 * method), and top Via header field match those of the request that created the transaction."
 */
export function matchesRfc2543(
  transaction: ServerTransaction,
  request: SipRequest,
  asCancelTarget = false,
): boolean {
  const original = transaction.request;
  const theirs = request.headers;
  const ours = original.headers;
  const cseq = theirs.cseq();
  const originalCseq = ours.cseq();
  if (cseq.seq !== originalCseq.seq) return false;
  if (theirs.callId() !== ours.callId()) return false;
  if (tagOf(theirs.from()) !== tagOf(ours.from())) return false;
  if (asCancelTarget) {
    if (original.method === "CANCEL" || original.method === "ACK") return false;
    if (tagOf(theirs.to()) !== tagOf(ours.to())) return false;
  } else if (request.method === "ACK") {
    if (original.method !== "INVITE") return false;
    const response = transaction.response;
    if (response === undefined || response.status < 200) return false;
    if (tagOf(theirs.to()) !== tagOf(response.headers.to())) return false;
  } else {
    if (request.method !== original.method || cseq.method !== originalCseq.method) return false;
    if (tagOf(theirs.to()) !== tagOf(ours.to())) return false;
  }
  const topVia = theirs.via()[0];
  const originalTopVia = ours.via()[0];
  if (topVia === undefined || originalTopVia === undefined || !sameVia(topVia, originalTopVia)) return false;
  return sameUri(request.uri, original.uri);
}

function tagOf(address: NameAddr): string | undefined {
  return address.params.get("tag") ?? undefined;
}
