export interface ShortLivedCacheOptions {
  /** How long a value read is used, in ms; 0 reads again every time. */
  ttlMs: number;
  /** Entries kept at most; the oldest go first (default 100,000). */
  maxEntries?: number;
  /** Monotonic milliseconds; default `performance.now`. */
  now?: () => number;
}

interface Entry<V> {
  value: Promise<V>;
  storedAt: number;
}

/**
 * Database reads kept in memory for a short time, for the lookups every REGISTER and call makes
 * (a device's digest hashes, the caller's account, who owns a number). A change made through the
 * owning service forgets the value at once on this node; a change made elsewhere (another node,
 * the operator CLI, a job writing the table) is seen within `ttlMs`. Lookups for one key while its
 * read is in flight share that read. Values are shared between callers and must not be changed.
 */
export class ShortLivedCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: ShortLivedCacheOptions) {
    if (!Number.isFinite(options.ttlMs) || options.ttlMs < 0) throw new RangeError("ttlMs must be 0 or more");
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The value read within the last `ttlMs`, or what `load` reads now (a failed read is not kept). */
  get(key: K, load: () => Promise<V>): Promise<V> {
    if (this.#ttlMs === 0) return load();
    const now = this.#now();
    const kept = this.#entries.get(key);
    if (kept !== undefined) {
      if (now - kept.storedAt < this.#ttlMs) return kept.value;
      this.#entries.delete(key);
    }
    const value = load();
    const entry: Entry<V> = { value, storedAt: now };
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, entry);
    value.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return value;
  }

  /** Forgets one key (its value changed through this node), a read of it in flight included. */
  forget(key: K): void {
    this.#entries.delete(key);
  }

  /** Forgets everything, including reads still in flight. */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
