import { trimWsp } from "./charset.ts";
import { skipQuotedString } from "./quoted-string.ts";

const COMMA = 0x2c;
const DQUOTE = 0x22;
const LT = 0x3c;

/**
 * Index of the first comma of `value` that separates list elements, at or after `from`:
 * commas inside quoted strings and inside `<...>` do not count. -1 when there is none.
 *
 * @remarks RFC 3261 §7.3.1: a header field "defined as a comma-separated list" may hold
 * several values; a comma inside a quoted display name or inside the angle brackets around a
 * URI is part of that value, e.g. `"Bell, A." <sip:a@b>, <sip:c@d;x=1,2>` holds two.
 */
export function nextListComma(value: string, from = 0): number {
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === COMMA) return i;
    if (c === DQUOTE) {
      const end = skipQuotedString(value, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (c === LT) {
      const end = value.indexOf(">", i + 1);
      if (end < 0) return -1;
      i = end;
    }
  }
  return -1;
}

/** Splits a comma-separated header value into its elements, each trimmed of SP and HTAB. Empty elements are kept. */
export function splitHeaderList(value: string): string[] {
  const first = nextListComma(value);
  if (first < 0) return [trimWsp(value)];
  const out: string[] = [];
  let start = 0;
  for (let comma = first; comma >= 0; comma = nextListComma(value, start)) {
    out.push(trimWsp(value.slice(start, comma)));
    start = comma + 1;
  }
  out.push(trimWsp(value.slice(start)));
  return out;
}
