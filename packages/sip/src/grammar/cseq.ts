import { is, isWsp, TOKEN } from "./charset.ts";
import { SipParseError } from "./sip-parse-error.ts";
import type { CSeq } from "./types.ts";

/** CSeq numbers stay below 2**31. */
export const maxCSeq = 2 ** 31 - 1;

/**
 * Parses a CSeq value: `1*DIGIT LWS Method`.
 *
 * @remarks RFC 3261 §8.1.1.5: "The sequence number MUST be expressible as a 32-bit unsigned
 * integer and MUST be less than 2**31." Leading zeros are allowed (RFC 4475 §3.1.1.1 has
 * `0009`); a larger number is malformed (RFC 4475 §3.1.2.4).
 */
export function parseCSeq(s: string): CSeq {
  const n = s.length;
  let i = 0;
  while (i < n && isWsp(s.charCodeAt(i))) i++;
  let seq = 0;
  const digitsStart = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    seq = seq * 10 + (c - 0x30);
    if (seq > maxCSeq) throw new SipParseError("BAD_CSEQ", "sequence number too large", "cseq");
  }
  if (i === digitsStart || i >= n || !isWsp(s.charCodeAt(i))) {
    throw new SipParseError("BAD_CSEQ", "expected a number and a method", "cseq");
  }
  while (i < n && isWsp(s.charCodeAt(i))) i++;
  const methodStart = i;
  while (i < n && is(s.charCodeAt(i), TOKEN)) i++;
  const method = s.slice(methodStart, i);
  while (i < n && isWsp(s.charCodeAt(i))) i++;
  if (method === "" || i !== n) throw new SipParseError("BAD_CSEQ", "bad method", "cseq");
  return { seq, method };
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
