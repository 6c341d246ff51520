/**
 * Character classes of the SIP grammar (RFC 3261 §25.1) as bit flags over ASCII, so that the
 * hand-written scanners test a character with one table lookup instead of a regular expression.
 */

export const ALPHANUM = 1 << 0;
/** `token` characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
export const TOKEN = 1 << 1;
/** `unreserved`: alphanum / mark */
export const UNRESERVED = 1 << 2;
/** `user-unreserved`: "&" / "=" / "+" / "$" / "," / ";" / "?" / "/" */
export const USER_UNRESERVED = 1 << 3;
/** password extras: "&" / "=" / "+" / "$" / "," */
export const PASSWORD_EXTRA = 1 << 4;
/** `param-unreserved`: "[" / "]" / "/" / ":" / "&" / "+" / "$" */
export const PARAM_UNRESERVED = 1 << 5;
/** `hnv-unreserved`: "[" / "]" / "/" / "?" / ":" / "+" / "$" */
export const HNV_UNRESERVED = 1 << 6;
/** `word` characters (Call-ID): token characters plus "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}" */
export const WORD = 1 << 7;
/** Host name characters: alphanum / "-" / "." (and "_", seen in the wild). */
export const HOSTNAME = 1 << 8;
/** Characters of an absolute URI other than sip/sips/tel (RFC 3261 `uric`, without escapes). */
export const URIC = 1 << 9;
/** Hex digits. */
export const HEX = 1 << 10;

const table = new Uint16Array(128);

function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)]! |= flag;
}

function markRange(from: string, to: string, flag: number): void {
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) table[c]! |= flag;
}

for (const [from, to] of [
  ["a", "z"],
  ["A", "Z"],
  ["0", "9"],
] as const) {
  markRange(from, to, ALPHANUM | TOKEN | UNRESERVED | WORD | HOSTNAME | URIC);
}
markRange("0", "9", HEX);
markRange("a", "f", HEX);
markRange("A", "F", HEX);
mark("-.!%*_+`'~", TOKEN | WORD);
mark("-_.!~*'()", UNRESERVED | URIC);
mark("&=+$,;?/", USER_UNRESERVED);
mark("&=+$,", PASSWORD_EXTRA);
mark("[]/:&+$", PARAM_UNRESERVED);
mark("[]/?:+$", HNV_UNRESERVED);
mark('()<>:\\"/[]?{}', WORD);
mark("-._", HOSTNAME);
mark(";/?:@&=+$,%[]#", URIC);

/** True when the UTF-16 code unit `c` is ASCII and in any of the `flags` classes. */
export function is(c: number, flags: number): boolean {
  return c < 128 && (table[c]! & flags) !== 0;
}

/** True when every character of `s` is in one of the `flags` classes (and `s` is not empty). */
export function all(s: string, flags: number): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (table[c]! & flags) === 0) return false;
  }
  return true;
}

/** Linear whitespace inside an unfolded header value: SP or HTAB. */
export function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** `s` without leading and trailing SP and HTAB (the only whitespace in SIP's grammar). */
export function trimWsp(s: string): string {
  let from = 0;
  let to = s.length;
  while (from < to && isWsp(s.charCodeAt(from))) from++;
  while (to > from && isWsp(s.charCodeAt(to - 1))) to--;
  return from === 0 && to === s.length ? s : s.slice(from, to);
}
