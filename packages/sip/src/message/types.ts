/**
 * The SIP message model shared by every layer of `@zaqros/sip`.
 *
 * This file is the contract between the layers: the parser produces these shapes, the
 * serializer consumes them, and transactions, dialogs and authentication read them.
 *
 * @remarks RFC 3261 §7: "A SIP message is either a request from a client to a server, or a
 * response from a server to a client." Both share the start-line / headers / body structure.
 */

import type {
  AuthHeader,
  CSeq,
  NameAddr,
  OtherUri,
  Params,
  SipUri,
  TelUri,
  Uri,
  Via,
} from "../grammar/types.ts";

export type { AuthHeader, CSeq, NameAddr, OtherUri, Params, SipUri, TelUri, Uri, Via };

/** Names of the headers the parser turns into typed values. Lower-case canonical (long) names. */
export type HotHeaderName =
  | "via"
  | "from"
  | "to"
  | "call-id"
  | "cseq"
  | "contact"
  | "route"
  | "record-route"
  | "max-forwards"
  | "content-length"
  | "expires"
  | "www-authenticate"
  | "proxy-authenticate"
  | "authorization"
  | "proxy-authorization";

/** One header field as it appeared on the wire (or was added), in order. */
export interface HeaderField {
  /** Name as written (may be a compact form such as `v` or `f`). */
  name: string;
  /** Raw value with line folding replaced by a single space, surrounding whitespace trimmed. */
  value: string;
}

/**
 * Ordered header collection. Lookups take any case and either the long or compact name
 * (`v` = `via`, `f` = `from`, `t` = `to`, `i` = `call-id`, `m` = `contact`, `l` = `content-length`,
 * `c` = `content-type`, `e` = `content-encoding`, `s` = `subject`, `k` = `supported`, `o` = `event`,
 * `r` = `refer-to`, `b` = `referred-by`, `u` = `allow-events`, `x` = `session-expires`, `a` = `accept-contact`,
 * `j` = `reject-contact`, `d` = `request-disposition`, `y` = `identity`).
 */
export interface SipHeaders {
  /** All fields in order, as parsed or set. */
  readonly fields: readonly HeaderField[];
  /** The raw values of a header (each field once, not split at commas). */
  getRaw(name: string): string[];
  /** First raw value of a header, or undefined. */
  first(name: string): string | undefined;
  /** Every value of a comma-separated header across all its fields, split and trimmed. */
  getList(name: string): string[];
  has(name: string): boolean;
  /** Number of fields (lines) with that name. */
  count(name: string): number;
  /** Append a field at the end (or after the last field of the same name when `afterSame`). */
  append(name: string, value: string, afterSame?: boolean): void;
  /** Insert a field before all others of the same name (used for Via and Record-Route). */
  prepend(name: string, value: string): void;
  /** Replace every field of that name with one field. */
  set(name: string, value: string): void;
  /** Remove every field of that name. */
  remove(name: string): void;
  /** Remove only the first value of a (possibly comma-separated) header, e.g. the top Via or Route. */
  removeFirstValue(name: string): void;
  /** Replace only the first value of a (possibly comma-separated) header, e.g. the top Via. */
  replaceFirstValue(name: string, value: string): void;
  /** A deep copy. */
  clone(): SipHeaders;

  // Typed views of the hot headers. They throw `SipParseError` when the value is malformed.
  via(): Via[];
  /** The top Via only (cheaper than `via()[0]` on a long Via stack), or undefined. */
  topVia(): Via | undefined;
  from(): NameAddr;
  to(): NameAddr;
  callId(): string;
  cseq(): CSeq;
  /** `'*'` for the wildcard Contact of a REGISTER. Empty array when absent. */
  contact(): NameAddr[] | "*";
  route(): NameAddr[];
  recordRoute(): NameAddr[];
  maxForwards(): number | undefined;
  contentLength(): number | undefined;
  expires(): number | undefined;
  /** The four authentication headers, by name. */
  auth(
    name: "www-authenticate" | "proxy-authenticate" | "authorization" | "proxy-authorization",
  ): AuthHeader[];
}

export interface SipRequest {
  readonly kind: "request";
  /** Method token, case-sensitive (RFC 3261 §7.1), e.g. `INVITE`. */
  method: string;
  uri: Uri;
  /** Request-URI exactly as on the wire (for digest `uri` comparison). */
  uriText: string;
  /** `SIP/2.0` */
  version: string;
  headers: SipHeaders;
  /** The body, exactly Content-Length bytes. Empty when there is none. */
  body: Uint8Array;
}

export interface SipResponse {
  readonly kind: "response";
  status: number;
  reason: string;
  version: string;
  headers: SipHeaders;
  body: Uint8Array;
}

export type SipMessage = SipRequest | SipResponse;
