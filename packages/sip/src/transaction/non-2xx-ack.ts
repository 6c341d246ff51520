import { Headers } from "../message/headers.ts";
import type { SipRequest, SipResponse } from "../message/types.ts";
import { topViaValue } from "./top-via-value.ts";

/**
 * The ACK an INVITE client transaction sends for a 300-699 response.
 *
 * @remarks RFC 3261 §17.1.1.3: "The ACK request constructed by the client transaction MUST
 * contain values for the Call-ID, From, and Request-URI that are equal to the values of those
 * header fields in the request passed to the transport by the client transaction (call this the
 * "original request"). The To header field in the ACK MUST equal the To header field in the
 * response being acknowledged ... The ACK MUST contain a single Via header field, and this MUST
 * be equal to the top Via header field of the original request. The CSeq header field in the
 * ACK MUST contain the same value for the sequence number as was present in the original
 * request, but the method parameter MUST be equal to "ACK"." / "If the INVITE request whose
 * response is being acknowledged had Route header fields, those header fields MUST appear in the
 * ACK."
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const source = invite.headers;
  const headers = new Headers();
  headers.append("Via", topViaValue(invite));
  for (const maxForwards of source.getRaw("max-forwards")) headers.append("Max-Forwards", maxForwards);
  for (const to of response.headers.getRaw("to")) headers.append("To", to);
  for (const from of source.getRaw("from")) headers.append("From", from);
  for (const callId of source.getRaw("call-id")) headers.append("Call-ID", callId);
  headers.append("CSeq", `${source.cseq().seq} ACK`);
  for (const route of source.getRaw("route")) headers.append("Route", route);
  headers.append("Content-Length", "0");
  return {
    kind: "request",
    method: "ACK",
    uri: invite.uri,
    uriText: invite.uriText,
    version: invite.version,
    headers,
    body: new Uint8Array(0),
  };
}
