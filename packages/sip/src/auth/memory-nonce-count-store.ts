import { ownCopy } from "../message/own-copy.ts";
import type { NonceCountStore, NonceCountUse, NonceCountVerdict } from "./nonce-count-store.ts";

export interface MemoryNonceCountStoreOptions {
  /** Most nonces remembered at once; default 100,000 (a few tens of MB at most). */
  maxEntries?: number;
}

interface Entry {
  highestNc: number;
  expiresAt: number;
}

/**
 * A bounded in-process `NonceCountStore`.
 *
 * Entries live in first-use order. Each call first drops expired entries from the old end; when the
 * store is still full, it evicts the oldest entry and remembers the latest expiry it has evicted.
 * From then on a nonce it does not know and that expires no later than that mark may have been
 * evicted, so it is reported `"forgotten"` rather than accepted: bounded memory never turns into an
 * accepted replay. Since nonce lifetimes are equal, a nonce issued after every evicted one is still
 * accepted normally.
 */
export class MemoryNonceCountStore implements NonceCountStore {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();
  #forgottenUntil = Number.NEGATIVE_INFINITY;

  constructor(options: MemoryNonceCountStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError("maxEntries must be a positive integer");
    }
    this.#maxEntries = maxEntries;
  }

  /** Number of nonces currently remembered. */
  get size(): number {
    return this.#entries.size;
  }

  use({ nonce, nc, expiresAt, now }: NonceCountUse): NonceCountVerdict {
    this.#dropExpired(now);
    const entry = this.#entries.get(nonce);
    if (entry !== undefined) {
      if (nc <= entry.highestNc) return "replay";
      entry.highestNc = nc;
      return "fresh";
    }
    if (expiresAt <= this.#forgottenUntil) return "forgotten";
    if (expiresAt < now) return "forgotten";
    while (this.#entries.size >= this.#maxEntries) this.#evictOldest();
    // The nonce was cut out of the request's Authorization header: kept as a slice, it would keep
    // the request's whole header section alive for the nonce's lifetime.
    this.#entries.set(ownCopy(nonce), { highestNc: nc, expiresAt });
    return "fresh";
  }

  #dropExpired(now: number): void {
    for (const [nonce, entry] of this.#entries) {
      if (entry.expiresAt >= now) return;
      this.#entries.delete(nonce);
    }
  }

  #evictOldest(): void {
    const oldest = this.#entries.entries().next();
    if (oldest.done) return;
    const [nonce, entry] = oldest.value;
    this.#entries.delete(nonce);
    if (entry.expiresAt > this.#forgottenUntil) this.#forgottenUntil = entry.expiresAt;
  }
}
