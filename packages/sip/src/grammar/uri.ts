import {
  ALPHANUM,
  all,
  HEX,
  HNV_UNRESERVED,
  HOSTNAME,
  is,
  PARAM_UNRESERVED,
  PASSWORD_EXTRA,
  UNRESERVED,
  URIC,
  USER_UNRESERVED,
} from "./charset.ts";
import { escapePercent, unescapePercent } from "./percent-encoding.ts";
import { SipParseError, type SipParseErrorCode } from "./sip-parse-error.ts";
import type { OtherUri, Params, SipUri, TelUri, Uri } from "./types.ts";

const PERCENT = 0x25;
const COLON = 0x3a;
const SEMI = 0x3b;
const QUESTION = 0x3f;
const AMP = 0x26;
const EQUAL = 0x3d;

const USER_CHARS = UNRESERVED | USER_UNRESERVED;
const PASSWORD_CHARS = UNRESERVED | PASSWORD_EXTRA;
const PARAM_CHARS = UNRESERVED | PARAM_UNRESERVED;
const HEADER_CHARS = UNRESERVED | HNV_UNRESERVED;

/**
 * Parses an absolute URI: `sip:` and `sips:` (RFC 3261 §19.1) and `tel:` (RFC 3966) into
 * their parts, any other scheme kept whole as text.
 *
 * `text` is the URI alone: the caller has already taken it out of its angle brackets or
 * request line. Schemes are lower-cased; user, password, parameters and URI headers are
 * unescaped once; the host keeps its case and an IPv6 reference keeps its brackets.
 *
 * @remarks RFC 3261 §25.1: `user = 1*( unreserved / escaped / user-unreserved )` with
 * `user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"`, so the user part runs to
 * the `@`, not to the first `;` (RFC 4475 §3.1.1.9: the Request-URI
 * `sip:user;par=u%40example.net@example.com` has the user `user;par=u@example.net`).
 */
export function parseUri(text: string, code: SipParseErrorCode = "BAD_URI"): Uri {
  const colon = text.indexOf(":");
  if (colon <= 0) throw new SipParseError(code, "no scheme");
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === "sip" || scheme === "sips") return parseSipUri(text, scheme, colon + 1, code);
  if (scheme === "tel") return parseTelUri(text, colon + 1, code);
  return parseOtherUri(text, scheme, colon + 1, code);
}

function isScheme(scheme: string): boolean {
  const first = scheme.charCodeAt(0);
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) return false;
  for (let i = 1; i < scheme.length; i++) {
    const c = scheme.charCodeAt(i);
    if (!is(c, ALPHANUM) && c !== 0x2b && c !== 0x2d && c !== 0x2e) return false;
  }
  return true;
}

/** Index after the run of characters in `flags` (or `%`) starting at `i`. */
function scan(s: string, i: number, flags: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== PERCENT && !is(c, flags)) break;
    i++;
  }
  return i;
}

function parseSipUri(text: string, scheme: "sip" | "sips", start: number, code: SipParseErrorCode): SipUri {
  const uri: SipUri = { scheme, host: "", params: new Map(), headers: new Map() };
  const n = text.length;
  let i = start;
  const at = text.indexOf("@", start);
  if (at >= 0) {
    const userEnd = scan(text, start, USER_CHARS);
    if (userEnd === start) throw new SipParseError(code, "empty user part");
    uri.user = unescapePercent(text.slice(start, userEnd), code);
    i = userEnd;
    if (text.charCodeAt(i) === COLON) {
      const passwordEnd = scan(text, i + 1, PASSWORD_CHARS);
      uri.password = unescapePercent(text.slice(i + 1, passwordEnd), code);
      i = passwordEnd;
    }
    if (i !== at) throw new SipParseError(code, "bad character in user part");
    i = at + 1;
  }
  i = parseHostPort(text, i, uri, code);
  while (i < n && text.charCodeAt(i) === SEMI) {
    const nameEnd = scan(text, i + 1, PARAM_CHARS);
    if (nameEnd === i + 1) throw new SipParseError(code, "empty URI parameter");
    const name = unescapePercent(text.slice(i + 1, nameEnd), code).toLowerCase();
    let value: string | null = null;
    i = nameEnd;
    if (text.charCodeAt(i) === EQUAL) {
      const valueEnd = scan(text, i + 1, PARAM_CHARS);
      if (valueEnd === i + 1) throw new SipParseError(code, "empty URI parameter value");
      value = unescapePercent(text.slice(i + 1, valueEnd), code);
      i = valueEnd;
    }
    if (!uri.params.has(name)) uri.params.set(name, value);
  }
  if (i < n && text.charCodeAt(i) === QUESTION) {
    do {
      const nameEnd = scan(text, i + 1, HEADER_CHARS);
      if (nameEnd === i + 1 || text.charCodeAt(nameEnd) !== EQUAL) {
        throw new SipParseError(code, "bad URI header");
      }
      const valueEnd = scan(text, nameEnd + 1, HEADER_CHARS);
      uri.headers.set(
        unescapePercent(text.slice(i + 1, nameEnd), code),
        unescapePercent(text.slice(nameEnd + 1, valueEnd), code),
      );
      i = valueEnd;
    } while (i < n && text.charCodeAt(i) === AMP);
  }
  if (i !== n) throw new SipParseError(code, `unexpected character at ${i}`);
  return uri;
}

/** Parses `host [":" port]` at `i` into `target`; returns the index after it. */
function parseHostPort(
  text: string,
  i: number,
  target: { host: string; port?: number },
  code: SipParseErrorCode,
): number {
  i = parseHost(text, i, target, code);
  return text.charCodeAt(i) === COLON ? parsePort(text, i + 1, target, code) : i;
}

/**
 * Parses a `host` (name, IPv4 address or bracketed IPv6 reference) at `i` into `target.host`;
 * returns the index after it.
 */
export function parseHost(
  text: string,
  i: number,
  target: { host: string },
  code: SipParseErrorCode,
): number {
  const hostStart = i;
  if (text.charCodeAt(i) === 0x5b) {
    const close = text.indexOf("]", i);
    if (close < 0) throw new SipParseError(code, "unterminated IPv6 reference");
    for (let k = i + 1; k < close; k++) {
      const c = text.charCodeAt(k);
      if (!is(c, HEX) && c !== COLON && c !== 0x2e) throw new SipParseError(code, "bad IPv6 reference");
    }
    if (close === i + 1) throw new SipParseError(code, "empty IPv6 reference");
    i = close + 1;
  } else {
    while (i < text.length && is(text.charCodeAt(i), HOSTNAME)) i++;
    if (i === hostStart) throw new SipParseError(code, "empty host");
  }
  target.host = text.slice(hostStart, i);
  return i;
}

/** Parses the decimal port starting at `i` (just after the colon) into `target.port`. */
export function parsePort(
  text: string,
  i: number,
  target: { port?: number },
  code: SipParseErrorCode,
): number {
  const portStart = i;
  let port = 0;
  while (i < text.length && i - portStart < 6) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    port = port * 10 + (c - 0x30);
    i++;
  }
  if (i === portStart || port > 65535) throw new SipParseError(code, "bad port");
  target.port = port;
  return i;
}

/** Visual separators and digits of a telephone-subscriber (RFC 3966 §3). */
function isPhoneChar(c: number): boolean {
  return (
    is(c, HEX) ||
    c === 0x2a ||
    c === 0x23 ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x28 ||
    c === 0x29
  );
}

/**
 * @remarks RFC 3966 §3: `telephone-subscriber = global-number / local-number`, each followed
 * by `;`-separated parameters such as `phone-context`, `ext` and `isub`.
 */
function parseTelUri(text: string, start: number, code: SipParseErrorCode): TelUri {
  let i = start;
  while (i < text.length && isPhoneChar(text.charCodeAt(i))) i++;
  if (i === start) throw new SipParseError(code, "empty telephone number");
  const uri: TelUri = { scheme: "tel", number: text.slice(start, i), params: new Map() };
  while (i < text.length && text.charCodeAt(i) === SEMI) {
    const nameEnd = scan(text, i + 1, PARAM_CHARS);
    if (nameEnd === i + 1) throw new SipParseError(code, "empty tel parameter");
    const name = unescapePercent(text.slice(i + 1, nameEnd), code).toLowerCase();
    let value: string | null = null;
    i = nameEnd;
    if (text.charCodeAt(i) === EQUAL) {
      const valueEnd = scan(text, i + 1, PARAM_CHARS);
      if (valueEnd === i + 1) throw new SipParseError(code, "empty tel parameter value");
      value = unescapePercent(text.slice(i + 1, valueEnd), code);
      i = valueEnd;
    }
    if (!uri.params.has(name)) uri.params.set(name, value);
  }
  if (i !== text.length) throw new SipParseError(code, `unexpected character at ${i}`);
  return uri;
}

/**
 * @remarks RFC 3261 §25.1: `Request-URI = SIP-URI / SIPS-URI / absoluteURI`; RFC 4475 §3.3.2
 * and §3.3.3 expect a parser to accept any well-formed absolute URI and leave the decision
 * (416 Unsupported URI Scheme) to the element.
 */
function parseOtherUri(text: string, scheme: string, start: number, code: SipParseErrorCode): OtherUri {
  if (!isScheme(scheme)) throw new SipParseError(code, "bad scheme");
  if (start >= text.length || !all(text.slice(start), URIC)) {
    throw new SipParseError(code, "bad character in URI");
  }
  return { scheme, other: true, text };
}

function formatUriParams(params: Params): string {
  let out = "";
  for (const [name, value] of params) {
    out += `;${escapePercent(name, PARAM_CHARS)}`;
    if (value !== null) out += `=${escapePercent(value, PARAM_CHARS)}`;
  }
  return out;
}

/** Writes a URI back as text, escaping what its grammar requires. */
export function formatUri(uri: Uri): string {
  if ("other" in uri) return uri.text;
  if (uri.scheme === "tel") return `tel:${uri.number}${formatUriParams(uri.params)}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) {
    out += escapePercent(uri.user, USER_CHARS);
    if (uri.password !== undefined) out += `:${escapePercent(uri.password, PASSWORD_CHARS)}`;
    out += "@";
  }
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += formatUriParams(uri.params);
  let separator = "?";
  for (const [name, value] of uri.headers) {
    out += `${separator}${escapePercent(name, HEADER_CHARS)}=${escapePercent(value, HEADER_CHARS)}`;
    separator = "&";
  }
  return out;
}
