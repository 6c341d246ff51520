import { HEX, is } from "./charset.ts";
import { SipParseError, type SipParseErrorCode } from "./sip-parse-error.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const hexDigits = "0123456789ABCDEF";

/**
 * Decodes `%HH` escapes once (never recursively) and reads the octets as UTF-8.
 *
 * @remarks RFC 4475 §3.1.1.3: "Per [RFC3986], unescaping URI components is never performed
 * recursively." An escape must be "%" HEXDIG HEXDIG (RFC 3261 §25.1 `escaped`).
 */
export function unescapePercent(s: string, code: SipParseErrorCode): string {
  const firstPercent = s.indexOf("%");
  if (firstPercent < 0) return s;
  const bytes = new Uint8Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hi = s.charCodeAt(i + 1);
      const lo = s.charCodeAt(i + 2);
      if (!is(hi, HEX) || !is(lo, HEX)) throw new SipParseError(code, "bad % escape");
      bytes[n++] = Number.parseInt(s.slice(i + 1, i + 3), 16);
      i += 2;
    } else if (c < 128) {
      bytes[n++] = c;
    } else {
      throw new SipParseError(code, "non-ASCII character in URI");
    }
  }
  try {
    return strictUtf8.decode(bytes.subarray(0, n));
  } catch {
    throw new SipParseError(code, "escaped octets are not UTF-8");
  }
}

/** Escapes every character of `s` outside the `allowed` classes (and "%" itself) as UTF-8 `%HH`. */
export function escapePercent(s: string, allowed: number): string {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x25 || !is(c, allowed)) break;
    i++;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x25 && is(c, allowed)) {
      out += s[i];
      continue;
    }
    let ch = s[i]!;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      ch += s[i + 1];
      i++;
    }
    for (const b of Buffer.from(ch, "utf8")) out += `%${hexDigits[b >> 4]}${hexDigits[b & 15]}`;
  }
  return out;
}
