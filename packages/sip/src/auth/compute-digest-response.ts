import { type DigestAlgorithm, digestHashOf, hashHex, isSessionAlgorithm } from "./digest-algorithm.ts";

/** Quality of protection values this library computes. */
export type DigestQop = "auth" | "auth-int";

export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** H(username:realm:password) in the algorithm's hash, hex (see `computeHa1`). */
  ha1: string;
  nonce: string;
  method: string;
  /** The `uri` parameter exactly as it appears in the Authorization header. */
  uri: string;
  /** Absent for the RFC 2069 form (no `qop`, no `nc`, no `cnonce`). */
  qop?: DigestQop;
  /** The `nc` parameter exactly as on the wire (8 hex digits); required with `qop`. */
  nc?: string;
  /** Required with `qop` and with every `-sess` algorithm. */
  cnonce?: string;
  /** The message body, hashed into A2 for `auth-int`; absent means empty. */
  body?: Uint8Array;
}

const EMPTY_BODY = new Uint8Array(0);

/**
 * The `response` value (request-digest), lower-case hex.
 *
 * @remarks RFC 7616 §3.4.1: response = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop)
 * ":" H(A2)). RFC 2617 §3.2.2.1: "If the "qop" directive is not present (this construction is for
 * compatibility with RFC 2069): request-digest = <"> < KD ( H(A1), unq(nonce-value) ":" H(A2) ) > <">".
 * RFC 7616 §3.4.2: for "<algorithm>-sess", "A1 = H( unq(username) ":" unq(realm) ":" passwd )
 * ":" unq(nonce-prime) ":" unq(cnonce-prime)", so the stored HA1 is all we need.
 * RFC 7616 §3.4.3: for qop "auth" or unspecified, "A2 = Method ":" request-uri"; for "auth-int",
 * "A2 = Method ":" request-uri ":" H(entity-body)". RFC 3261 §22.4 item 7: with no body, "the hash of
 * the entity-body resolves to the MD5 hash of an empty string".
 *
 * @throws TypeError when `qop` or a `-sess` algorithm is used without `nc`/`cnonce`: that is a
 * programming error, never a property of received input (callers validate first).
 */
export function computeDigestResponse(input: DigestResponseInput): string {
  const hash = digestHashOf(input.algorithm);
  const ha1 = input.ha1.toLowerCase();
  const { qop, nc, cnonce } = input;
  if ((qop !== undefined || isSessionAlgorithm(input.algorithm)) && cnonce === undefined) {
    throw new TypeError("digest: cnonce is required with qop and with -sess algorithms");
  }
  if (qop !== undefined && nc === undefined) {
    throw new TypeError("digest: nc is required with qop");
  }
  const sessionHa1 = isSessionAlgorithm(input.algorithm)
    ? hashHex(hash, `${ha1}:${input.nonce}:${cnonce}`)
    : ha1;
  const a2 =
    qop === "auth-int"
      ? `${input.method}:${input.uri}:${hashHex(hash, input.body ?? EMPTY_BODY)}`
      : `${input.method}:${input.uri}`;
  const ha2 = hashHex(hash, a2);
  const data = qop === undefined ? `${input.nonce}:${ha2}` : `${input.nonce}:${nc}:${cnonce}:${qop}:${ha2}`;
  return hashHex(hash, `${sessionHa1}:${data}`);
}

/** `nc` as sent on the wire: 8 lower-case hex digits. */
export function formatNonceCount(count: number): string {
  return count.toString(16).padStart(8, "0");
}
