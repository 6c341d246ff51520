import { is, isWsp, TOKEN } from "./charset.ts";
import { formatParams, parseParams } from "./params.ts";
import { quoteString, readQuotedString } from "./quoted-string.ts";
import { SipParseError, type SipParseErrorCode } from "./sip-parse-error.ts";
import type { NameAddr } from "./types.ts";
import { formatUri, parseUri } from "./uri.ts";

const DQUOTE = 0x22;
const LT = 0x3c;
const SEMI = 0x3b;

/**
 * Parses one `( name-addr / addr-spec ) *( SEMI generic-param )` value, as found in From, To,
 * Contact, Route, Record-Route, Reply-To, Refer-To and friends. Comma-separated lists must be
 * split first (see `splitHeaderList`).
 *
 * @remarks RFC 3261 §20.10: "Even if the "display-name" is empty, the "name-addr" form MUST be
 * used if the "addr-spec" contains a comma, semicolon, or question mark." and "If the URI is
 * not enclosed in angle brackets, any semicolon-delimited parameters are header-parameters,
 * not URI parameters." RFC 3261 §25.1 defines `LAQUOT = SWS "<"` and `RAQUOT = ">" SWS`, so
 * no whitespace may sit inside the brackets (RFC 4475 §3.1.2.14), and
 * `display-name = *(token LWS)/ quoted-string`, so an unquoted display name cannot hold a
 * comma (RFC 4475 §3.1.2.15).
 */
export function parseNameAddr(s: string, code: SipParseErrorCode = "BAD_NAME_ADDR"): NameAddr {
  const n = s.length;
  let i = 0;
  while (i < n && isWsp(s.charCodeAt(i))) i++;
  let displayName: string | undefined;
  let uriText: string;
  const first = s.charCodeAt(i);
  if (first === DQUOTE) {
    const quoted = readQuotedString(s, i, code);
    displayName = quoted.value;
    i = quoted.end;
    while (i < n && isWsp(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== LT) throw new SipParseError(code, "expected '<' after display name");
  } else if (first !== LT) {
    let j = i;
    while (j < n && (is(s.charCodeAt(j), TOKEN) || isWsp(s.charCodeAt(j)))) j++;
    if (s.charCodeAt(j) === LT) {
      displayName = s.slice(i, j).trimEnd();
      i = j;
    }
  }
  if (s.charCodeAt(i) === LT) {
    const close = s.indexOf(">", i + 1);
    if (close < 0) throw new SipParseError(code, "missing '>'");
    uriText = s.slice(i + 1, close);
    i = close + 1;
  } else {
    const start = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === SEMI || isWsp(c)) break;
      if (c === 0x3f || c === 0x2c) {
        throw new SipParseError(
          code,
          s.indexOf("<", i) > 0
            ? "a display name holding non-token characters must be quoted"
            : "a URI holding '?' or ',' must be enclosed in '<' '>'",
        );
      }
      i++;
    }
    uriText = s.slice(start, i);
  }
  const uri = parseUri(uriText, code);
  const params = new Map<string, string | null>();
  parseParams(s, i, params, code);
  const result: NameAddr = { uri, params };
  if (displayName !== undefined) result.displayName = displayName;
  return result;
}

/** Writes a name-addr, always in the bracketed form, which is valid for every URI. */
export function formatNameAddr(value: NameAddr): string {
  const name = value.displayName === undefined ? "" : `${quoteString(value.displayName)} `;
  return `${name}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}
