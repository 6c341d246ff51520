import { SipParseError, type SipParseErrorCode } from "./sip-parse-error.ts";

const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A quoted string read from a header value: its unescaped content and the index after the closing quote. */
export interface QuotedString {
  value: string;
  end: number;
}

/**
 * Reads the quoted-string starting at `s[start]` (which must be `"`), undoing quoted-pairs.
 *
 * @remarks RFC 3261 §25.1: `quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE` and
 * `quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)`: a backslash takes the next character
 * literally, so `"\""` is one double quote.
 */
export function readQuotedString(s: string, start: number, code: SipParseErrorCode): QuotedString {
  let value = "";
  let runStart = start + 1;
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE) return { value: value + s.slice(runStart, i), end: i + 1 };
    if (c === BACKSLASH) {
      const next = s.charCodeAt(i + 1);
      if (Number.isNaN(next) || next === 0x0a || next === 0x0d || next > 0x7f) {
        throw new SipParseError(code, "bad quoted-pair");
      }
      value += s.slice(runStart, i) + s[i + 1];
      i += 1;
      runStart = i + 1;
    } else if (c === 0x0a || c === 0x0d) {
      throw new SipParseError(code, "line break in quoted string");
    }
  }
  throw new SipParseError(code, "unterminated quoted string");
}

/** Index just after the quoted-string starting at `s[start]`, or -1 if it never closes. */
export function skipQuotedString(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE) return i + 1;
    if (c === BACKSLASH) i += 1;
  }
  return -1;
}

/**
 * Quotes `s` for a header value, escaping `"` and `\`. CR and LF cannot be carried by a
 * quoted-pair, so they become spaces rather than break the header apart.
 */
export function quoteString(s: string): string {
  return `"${s.replace(/[\r\n]/g, " ").replace(/["\\]/g, "\\$&")}"`;
}
