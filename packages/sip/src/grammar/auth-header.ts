import { all, is, isWsp, TOKEN } from "./charset.ts";
import { quoteString, readQuotedString } from "./quoted-string.ts";
import { SipParseError } from "./sip-parse-error.ts";
import type { AuthHeader } from "./types.ts";

const COMMA = 0x2c;
const EQUAL = 0x3d;
const DQUOTE = 0x22;

/**
 * Parses a WWW-Authenticate, Proxy-Authenticate, Authorization or Proxy-Authorization value:
 * one or more `scheme param=value, param="value"` groups. Parameter names are lower-cased,
 * quoted values unquoted and unescaped; an unknown scheme is kept as written.
 *
 * @remarks RFC 3261 §25.1: `challenge = ("Digest" LWS digest-cln *(COMMA digest-cln)) /
 * other-challenge` with `other-challenge = auth-scheme LWS auth-param *(COMMA auth-param)`
 * and `auth-param = auth-param-name EQUAL ( token / quoted-string )`. RFC 4475 §3.3.7 sends
 * `Authorization: NoOneKnowsThisScheme opaque-data=here`, which must parse.
 */
export function parseAuthHeader(s: string): AuthHeader[] {
  const out: AuthHeader[] = [];
  const n = s.length;
  let i = skipWsp(s, 0);
  let current: AuthHeader | undefined;
  let afterComma = false;
  while (i < n) {
    const nameStart = i;
    while (i < n && is(s.charCodeAt(i), TOKEN)) i++;
    if (i === nameStart) throw new SipParseError("BAD_AUTH", "expected a scheme or parameter name");
    const name = s.slice(nameStart, i);
    i = skipWsp(s, i);
    if (s.charCodeAt(i) !== EQUAL) {
      if (current !== undefined && !afterComma) throw new SipParseError("BAD_AUTH", "expected '='");
      current = { scheme: name, params: new Map() };
      out.push(current);
      afterComma = false;
      continue;
    }
    if (current === undefined) throw new SipParseError("BAD_AUTH", "missing scheme");
    i = skipWsp(s, i + 1);
    let value: string;
    if (s.charCodeAt(i) === DQUOTE) {
      const quoted = readQuotedString(s, i, "BAD_AUTH");
      value = quoted.value;
      i = quoted.end;
    } else {
      const valueStart = i;
      while (i < n && s.charCodeAt(i) !== COMMA && !isWsp(s.charCodeAt(i))) i++;
      if (i === valueStart) throw new SipParseError("BAD_AUTH", "empty parameter value");
      value = s.slice(valueStart, i);
    }
    const key = name.toLowerCase();
    if (!current.params.has(key)) current.params.set(key, value);
    i = skipWsp(s, i);
    afterComma = false;
    while (i < n && s.charCodeAt(i) === COMMA) {
      afterComma = true;
      i = skipWsp(s, i + 1);
    }
    if (i < n && !afterComma) throw new SipParseError("BAD_AUTH", "expected ','");
  }
  if (out.length === 0) throw new SipParseError("BAD_AUTH", "empty");
  return out;
}

function skipWsp(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Digest parameters written without quotes (RFC 7616 §3.3, §3.4): `algorithm`, `stale`, `nc`,
 * `userhash`, `charset`, and `qop` in credentials (in a challenge `qop` is a quoted list).
 */
const unquotedDigestParams = new Set(["algorithm", "stale", "nc", "userhash", "charset"]);

/**
 * Writes one challenge or credentials value. Digest parameters are quoted as RFC 7616
 * prescribes; other schemes' values are quoted unless they are tokens.
 */
export function formatAuthHeader(header: AuthHeader, kind: "challenge" | "credentials"): string {
  const digest = header.scheme.toLowerCase() === "digest";
  const parts: string[] = [];
  for (const [name, value] of header.params) {
    const unquoted = digest
      ? unquotedDigestParams.has(name) || (name === "qop" && kind === "credentials")
      : all(value, TOKEN);
    parts.push(`${name}=${unquoted && all(value, TOKEN) ? value : quoteString(value)}`);
  }
  return parts.length === 0 ? header.scheme : `${header.scheme} ${parts.join(", ")}`;
}
