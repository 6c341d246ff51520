import { isWsp } from "./charset.ts";
import { SipParseError, type SipParseErrorCode } from "./sip-parse-error.ts";

/** The largest delta-seconds value; larger ones are read as this. */
export const maxDeltaSeconds = 2 ** 32 - 1;

/**
 * Reads `LWS 1*DIGIT LWS` as a number no larger than `max`, or throws `code`.
 * With `clamp`, a larger number reads as `max` instead of failing.
 */
export function parseInteger(
  s: string,
  max: number,
  code: SipParseErrorCode,
  header: string,
  clamp = false,
): number {
  const n = s.length;
  let i = 0;
  while (i < n && isWsp(s.charCodeAt(i))) i++;
  const start = i;
  let value = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    if (value <= max) value = value * 10 + (c - 0x30);
  }
  const end = i;
  while (i < n && isWsp(s.charCodeAt(i))) i++;
  if (end === start || i !== n) throw new SipParseError(code, "not a number", header);
  if (value > max) {
    if (clamp) return max;
    throw new SipParseError(code, "out of range", header);
  }
  return value;
}

/**
 * @remarks RFC 3261 §20.22: Max-Forwards "is an integer in the range 0-255"; RFC 4475
 * §3.1.1.1 has the leading zeros of `0068`.
 */
export function parseMaxForwards(s: string): number {
  return parseInteger(s, 255, "BAD_MAX_FORWARDS", "max-forwards");
}

export function parseContentLength(s: string): number {
  return parseInteger(s, Number.MAX_SAFE_INTEGER, "BAD_CONTENT_LENGTH", "content-length");
}

/**
 * @remarks RFC 3261 §20.19: "The value of this field is an integral number of seconds (in
 * decimal) between 0 and (2**32)-1". RFC 4475 §3.1.2.4 lets an element read an overlarge
 * expiry as a default rather than refuse the request, so it reads as (2**32)-1 here and the
 * registrar's own upper bound applies.
 */
export function parseExpires(s: string): number {
  return parseInteger(s, maxDeltaSeconds, "BAD_EXPIRES", "expires", true);
}
