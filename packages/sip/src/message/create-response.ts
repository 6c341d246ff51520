import { bodyBytes } from "./body-text.ts";
import { Headers } from "./headers.ts";
import { generateTag } from "./identifiers.ts";
import { reasonPhrase } from "./reason-phrases.ts";
import type { SipRequest, SipResponse } from "./types.ts";

export interface ResponseInit {
  /** The To tag to add when the request's To has none. Default: a new random tag (none on 100). */
  toTag?: string;
  /** Further header fields, appended in order. */
  headers?: Iterable<readonly [name: string, value: string]>;
  body?: Uint8Array | string;
  /** Content-Type of the body; required with a non-empty body. */
  contentType?: string;
}

/**
 * Builds a response to `request`, copying what RFC 3261 §8.2.6.2 says to copy.
 *
 * The copied header fields keep their raw values, so a response can be built even when a
 * header the UAS never needed to parse is malformed; only the To header is parsed, to see
 * whether it has a tag (a malformed To throws `SipParseError`).
 *
 * @remarks RFC 3261 §8.2.6.2: "The From field of the response MUST equal the From header
 * field of the request. The Call-ID header field of the response MUST equal the Call-ID
 * header field of the request. The CSeq header field of the response MUST equal the CSeq
 * field of the request. The Via header field values in the response MUST equal the Via
 * header field values in the request and MUST maintain the same ordering." and "if the
 * request did not contain a tag, the URI in the To header field in the response MUST equal
 * the URI in the To header field; additionally, the UAS MUST add a tag to the To header field
 * in the response (with the exception of the 100 (Trying) response, in which a tag MAY be
 * present)." §8.2.6.1: "When a 100 (Trying) response is generated, any Timestamp header field
 * present in the request MUST be copied into this 100 (Trying) response."
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason?: string,
  init: ResponseInit = {},
): SipResponse {
  const source = request.headers;
  const headers = new Headers();
  headers.copyFrom(source, "Via");
  headers.copyFrom(source, "From");
  const to = source.first("to");
  if (to !== undefined) {
    const needsTag = !source.to().params.has("tag") && (status > 100 || init.toTag !== undefined);
    headers.append("To", needsTag ? `${to};tag=${init.toTag ?? generateTag()}` : to);
  }
  headers.copyFrom(source, "Call-ID");
  headers.copyFrom(source, "CSeq");
  if (status === 100) headers.copyFrom(source, "Timestamp");
  for (const [name, value] of init.headers ?? []) headers.append(name, value);
  const body = bodyBytes(init.body);
  if (body.length > 0 && init.contentType === undefined) {
    throw new TypeError("createResponse: a body needs a contentType");
  }
  if (init.contentType !== undefined) headers.append("Content-Type", init.contentType);
  headers.append("Content-Length", String(body.length));
  return {
    kind: "response",
    status,
    reason: reason ?? reasonPhrase(status),
    version: "SIP/2.0",
    headers,
    body,
  };
}
