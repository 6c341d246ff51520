import { Headers } from "../message/headers.ts";
import type { SipRequest } from "../message/types.ts";
import { topViaValue } from "./top-via-value.ts";

/**
 * The CANCEL for a request (an INVITE, in practice).
 *
 * @remarks RFC 3261 §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From
 * header fields in the CANCEL request MUST be identical to those in the request being
 * cancelled, including tags. A CANCEL constructed by a client MUST have only a single Via header
 * field value matching the top Via value in the request being cancelled." / "However, the
 * method part of the CSeq header field MUST have a value of CANCEL." / "If the request being
 * cancelled contains a Route header field, the CANCEL request MUST include that Route header
 * field's values." / "The CANCEL request MUST NOT contain any Require or Proxy-Require header
 * fields."
 */
export function createCancel(request: SipRequest): SipRequest {
  const source = request.headers;
  const headers = new Headers();
  headers.append("Via", topViaValue(request));
  for (const maxForwards of source.getRaw("max-forwards")) headers.append("Max-Forwards", maxForwards);
  for (const to of source.getRaw("to")) headers.append("To", to);
  for (const from of source.getRaw("from")) headers.append("From", from);
  for (const callId of source.getRaw("call-id")) headers.append("Call-ID", callId);
  headers.append("CSeq", `${source.cseq().seq} CANCEL`);
  for (const route of source.getRaw("route")) headers.append("Route", route);
  headers.append("Content-Length", "0");
  return {
    kind: "request",
    method: "CANCEL",
    uri: request.uri,
    uriText: request.uriText,
    version: request.version,
    headers,
    body: new Uint8Array(0),
  };
}
