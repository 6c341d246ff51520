/**
 * What the store says about one use of a nonce:
 * ```
 *   use(nonce, nc) ──► "fresh"      nc is higher than any seen with this nonce: accept, remember nc
 *                 ├──► "replay"     nc is not higher than one already seen: reject
 *                 └──► "forgotten"  the store may have dropped this nonce to stay bounded and cannot
 *                                   tell; the verifier answers STALE_NONCE so the client gets a
 *                                   fresh nonce without asking its user again
 * ```
 */
export type NonceCountVerdict = "fresh" | "replay" | "forgotten";

export interface NonceCountUse {
  nonce: string;
  /** The nonce count of this request (1 for the first request with the nonce). */
  nc: number;
  /** When the nonce stops being acceptable; the entry is useless after that. */
  expiresAt: number;
  /** Current time from the verifier's injected clock. */
  now: number;
}

/**
 * Remembers, per nonce, the highest nonce count accepted, so a replayed Authorization is refused.
 * The verifier only calls it after the digest response has proven correct, so entries cannot be
 * created by someone who does not know the credentials.
 *
 * Implementations may be asynchronous (e.g. Redis `EVAL` of a compare-and-set script shared by
 * every node) and must be bounded; `MemoryNonceCountStore` is the in-process one.
 *
 * @remarks RFC 2617 §3.2.2: "The purpose of this directive is to allow the server to detect request
 * replays by maintaining its own copy of this count - if the same nc-value is seen twice, then the
 * request is a replay."
 */
export interface NonceCountStore {
  use(use: NonceCountUse): NonceCountVerdict | Promise<NonceCountVerdict>;
}
