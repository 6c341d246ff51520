import { is, isWsp, TOKEN } from "./charset.ts";
import { skipQuotedString } from "./quoted-string.ts";
import { SipParseError, type SipParseErrorCode } from "./sip-parse-error.ts";
import type { Params } from "./types.ts";

const SEMI = 0x3b;
const EQUAL = 0x3d;
const DQUOTE = 0x22;

/** Characters of an unquoted `gen-value`: token or host (IPv6 references bring `[`, `]` and `:`). */
function isGenValueChar(c: number): boolean {
  return is(c, TOKEN) || c === 0x5b || c === 0x5d || c === 0x3a;
}

/**
 * Parses `*( SEMI generic-param )` from `s[start]` to the end of `s` into `out`.
 * Names are lower-cased; a quoted value keeps its quotes, so it serializes back unchanged;
 * a parameter without `=` has the value `null`. The first occurrence of a name wins.
 *
 * @remarks RFC 3261 §25.1: `generic-param = token [ EQUAL gen-value ]`,
 * `gen-value = token / host / quoted-string`, with `SEMI = SWS ";" SWS` and
 * `EQUAL = SWS "=" SWS`, so whitespace may surround both separators.
 */
export function parseParams(s: string, start: number, out: Params, code: SipParseErrorCode): void {
  const n = s.length;
  let i = start;
  for (;;) {
    while (i < n && isWsp(s.charCodeAt(i))) i++;
    if (i >= n) return;
    if (s.charCodeAt(i) !== SEMI) throw new SipParseError(code, "expected ';' before parameter");
    i++;
    while (i < n && isWsp(s.charCodeAt(i))) i++;
    const nameStart = i;
    while (i < n && is(s.charCodeAt(i), TOKEN)) i++;
    if (i === nameStart) throw new SipParseError(code, "empty parameter");
    const name = s.slice(nameStart, i).toLowerCase();
    let j = i;
    while (j < n && isWsp(s.charCodeAt(j))) j++;
    let value: string | null = null;
    if (j < n && s.charCodeAt(j) === EQUAL) {
      j++;
      while (j < n && isWsp(s.charCodeAt(j))) j++;
      const valueStart = j;
      if (s.charCodeAt(j) === DQUOTE) {
        j = skipQuotedString(s, j);
        if (j < 0) throw new SipParseError(code, "unterminated quoted parameter value");
      } else {
        while (j < n && isGenValueChar(s.charCodeAt(j))) j++;
        if (j === valueStart) throw new SipParseError(code, `empty value for parameter ${name.slice(0, 32)}`);
      }
      value = s.slice(valueStart, j);
      i = j;
    }
    if (!out.has(name)) out.set(name, value);
  }
}

/** `;name` or `;name=value` for each parameter, values written as stored. */
export function formatParams(params: Params): string {
  let out = "";
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}
