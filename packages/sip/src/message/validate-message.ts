import { SipParseError } from "../grammar/sip-parse-error.ts";
import type { SipMessage } from "./types.ts";

/**
 * `Sun, 06 Nov 1994 08:49:37 GMT`: the only date form SIP allows.
 *
 * @remarks RFC 3261 §20.17: "SIP only supports the most recent RFC 1123 format for dates. As
 * in [H3.3], SIP restricts the time zone in SIP-date to "GMT", while RFC 1123 allows any time
 * zone." (RFC 4475 §3.1.2.12 sends `EST`.)
 */
const sipDate =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

const authHeaders = [
  "www-authenticate",
  "proxy-authenticate",
  "authorization",
  "proxy-authorization",
] as const;

/**
 * Parses every hot header present, checks the CSeq method against the request method and the
 * Date format, and throws the first `SipParseError` found. A message that passes can have any
 * of its typed headers read without an exception. Missing headers are not an error here (a
 * request missing mandatory headers is answered by `checkRequest`).
 *
 * @remarks RFC 3261 §8.1.1.5: "The method MUST match that of the request." (RFC 4475
 * §3.1.2.17 and §3.1.2.18 are requests whose CSeq names another method.)
 */
export function validateMessage(message: SipMessage): void {
  const headers = message.headers;
  headers.via();
  const cseq = headers.has("cseq") ? headers.cseq() : undefined;
  if (headers.has("call-id")) headers.callId();
  if (headers.has("from")) headers.from();
  if (headers.has("to")) headers.to();
  headers.maxForwards();
  headers.contentLength();
  if (headers.has("contact")) headers.contact();
  if (headers.has("route")) headers.route();
  if (headers.has("record-route")) headers.recordRoute();
  headers.expires();
  for (const name of authHeaders) if (headers.has(name)) headers.auth(name);
  const date = headers.first("date");
  if (date !== undefined && !sipDate.test(date))
    throw new SipParseError("BAD_DATE", "expected RFC 1123 GMT", "date");
  if (message.kind === "request" && cseq !== undefined && cseq.method !== message.method) {
    throw new SipParseError("CSEQ_METHOD_MISMATCH", `${cseq.method.slice(0, 32)} in CSeq`, "cseq");
  }
}
