import { is, trimWsp, WORD } from "./charset.ts";
import { SipParseError } from "./sip-parse-error.ts";

/**
 * Checks a Call-ID value and returns it unchanged.
 *
 * @remarks RFC 3261 §25.1: `callid = word [ "@" word ]`; `word` allows most printable
 * characters, including `<`, `>`, `"` and `\` (RFC 4475 §3.1.1.2), but no whitespace.
 * RFC 3261 §20.8: "Call-IDs are case-sensitive and are simply compared byte-by-byte."
 */
export function parseCallId(s: string): string {
  const value = trimWsp(s);
  let at = -1;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x40 && at < 0 && i > 0) {
      at = i;
      continue;
    }
    if (!is(c, WORD)) throw new SipParseError("BAD_CALL_ID", "bad character", "call-id");
  }
  if (value.length === 0 || at === value.length - 1) {
    throw new SipParseError("BAD_CALL_ID", "empty", "call-id");
  }
  return value;
}
