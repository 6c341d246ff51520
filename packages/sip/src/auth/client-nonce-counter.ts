/** Gives the nonce count for the next request sent with a server's nonce. */
export interface NonceCounter {
  next(realm: string, nonce: string): number;
}

/**
 * Client-side nonce counts: per realm, the latest nonce and how many requests used it. A new nonce
 * for a realm restarts at 1; reusing the same nonce counts up. Keeps at most `maxRealms` realms.
 *
 * @remarks RFC 2617 §3.2.2: "The nc-value is the hexadecimal count of the number of requests
 * (including the current request) that the client has sent with the nonce value in this request.
 * For example, in the first request sent in response to a given nonce value, the client sends
 * "nc=00000001"."
 */
export class ClientNonceCounter implements NonceCounter {
  readonly #maxRealms: number;
  readonly #byRealm = new Map<string, { nonce: string; count: number }>();

  constructor(maxRealms = 32) {
    if (!Number.isSafeInteger(maxRealms) || maxRealms < 1) {
      throw new RangeError("maxRealms must be a positive integer");
    }
    this.#maxRealms = maxRealms;
  }

  next(realm: string, nonce: string): number {
    const current = this.#byRealm.get(realm);
    this.#byRealm.delete(realm);
    const count = current !== undefined && current.nonce === nonce ? current.count + 1 : 1;
    this.#byRealm.set(realm, { nonce, count });
    if (this.#byRealm.size > this.#maxRealms) {
      const oldest = this.#byRealm.keys().next();
      if (!oldest.done) this.#byRealm.delete(oldest.value);
    }
    return count;
  }
}
