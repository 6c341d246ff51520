import { SipParseError } from "../../grammar/sip-parse-error.ts";
import { headerKey } from "../header-names.ts";
import type { SipMessage } from "../types.ts";

/** A typed view, or the code of the error reading it threw. */
function view<T>(read: () => T): T | string {
  try {
    return read();
  } catch (error) {
    if (error instanceof SipParseError) return `error:${error.code}`;
    throw error;
  }
}

/**
 * Everything a user of a parsed message can observe, as plain data for `deepStrictEqual`:
 * the start line, the header fields (Content-Length aside, which the serializer always
 * rewrites to the body length), the body, and every typed view of the hot headers.
 */
export function messageSnapshot(message: SipMessage): unknown {
  const h = message.headers;
  return {
    start:
      message.kind === "request"
        ? { method: message.method, uri: message.uri, version: message.version }
        : { status: message.status, reason: message.reason, version: message.version },
    fields: h.fields.filter((f) => headerKey(f.name) !== "content-length").map((f) => [f.name, f.value]),
    body: Buffer.from(message.body).toString("hex"),
    via: view(() => h.via()),
    from: view(() => h.from()),
    to: view(() => h.to()),
    callId: view(() => h.callId()),
    cseq: view(() => h.cseq()),
    contact: view(() => h.contact()),
    route: view(() => h.route()),
    recordRoute: view(() => h.recordRoute()),
    maxForwards: view(() => h.maxForwards()),
    expires: view(() => h.expires()),
    authorization: view(() => h.auth("authorization")),
    wwwAuthenticate: view(() => h.auth("www-authenticate")),
  };
}
