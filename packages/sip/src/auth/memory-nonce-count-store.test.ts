import assert from "node:assert/strict";
import { test } from "node:test";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { MemoryNonceCountStore } from "./memory-nonce-count-store.ts";

const now = 1_000_000;
const expiresAt = now + 300_000;

test("when nonce counts rise, then each is fresh; when one repeats or goes back, then it is a replay", () => {
  const store = new MemoryNonceCountStore();
  assert.equal(store.use({ nonce: "a", nc: 1, expiresAt, now }), "fresh");
  assert.equal(store.use({ nonce: "a", nc: 2, expiresAt, now }), "fresh");
  assert.equal(store.use({ nonce: "a", nc: 2, expiresAt, now }), "replay");
  assert.equal(store.use({ nonce: "a", nc: 1, expiresAt, now }), "replay");
  assert.equal(store.use({ nonce: "a", nc: 5, expiresAt, now }), "fresh");
  assert.equal(store.use({ nonce: "b", nc: 1, expiresAt, now }), "fresh");
});

test("when a flood of distinct nonces arrives, then the store never holds more than its cap", () => {
  const store = new MemoryNonceCountStore({ maxEntries: 1_000 });
  let largest = 0;
  for (let i = 0; i < 100_000; i++) {
    store.use({ nonce: `nonce-${i}`, nc: 1, expiresAt: expiresAt + i, now });
    largest = Math.max(largest, store.size);
  }
  assert.equal(largest, 1_000);
});

test("when an evicted nonce comes back, then it is forgotten (never fresh), while newer nonces stay fresh", () => {
  const store = new MemoryNonceCountStore({ maxEntries: 2 });
  store.use({ nonce: "first", nc: 1, expiresAt: expiresAt + 1, now });
  store.use({ nonce: "second", nc: 1, expiresAt: expiresAt + 2, now });
  store.use({ nonce: "third", nc: 1, expiresAt: expiresAt + 3, now });
  assert.equal(store.use({ nonce: "first", nc: 1, expiresAt: expiresAt + 1, now }), "forgotten");
  assert.equal(store.use({ nonce: "fourth", nc: 1, expiresAt: expiresAt + 4, now }), "fresh");
  assert.equal(store.use({ nonce: "fourth", nc: 1, expiresAt: expiresAt + 4, now }), "replay");
});

test("when entries expire, then they are dropped and their room is reused without forgetting live nonces", () => {
  const store = new MemoryNonceCountStore({ maxEntries: 3 });
  store.use({ nonce: "old-1", nc: 1, expiresAt: now + 10, now });
  store.use({ nonce: "old-2", nc: 1, expiresAt: now + 10, now });
  const later = now + 11;
  store.use({ nonce: "new-1", nc: 1, expiresAt: later + 300_000, now: later });
  assert.equal(store.size, 1);
  store.use({ nonce: "new-2", nc: 1, expiresAt: later + 300_001, now: later });
  store.use({ nonce: "new-3", nc: 1, expiresAt: later + 300_002, now: later });
  assert.equal(store.use({ nonce: "new-1", nc: 1, expiresAt: later + 300_000, now: later }), "replay");
});

test("when the cap is not a positive integer, then construction throws a RangeError", () => {
  assert.throws(() => new MemoryNonceCountStore({ maxEntries: 0 }), RangeError);
  assert.throws(() => new MemoryNonceCountStore({ maxEntries: 1.5 }), RangeError);
});

test("when nonces are cut out of large requests, then the store keeps the nonces, not the requests", () => {
  setFlagsFromString("--expose-gc");
  const collect = runInNewContext("gc") as () => void;
  const store = new MemoryNonceCountStore({ maxEntries: 5_000 });
  // Each nonce is a slice of its own 8 KB header section, as the parser hands them over.
  const cut = (i: number) => {
    const head = `${"X-Filler: ".padEnd(8_000, "x")}\r\nAuthorization: Digest nonce="${i.toString().padStart(64, "n")}"`;
    return head.slice(head.indexOf('nonce="') + 7, -1);
  };
  collect();
  const before = getHeapStatistics().used_heap_size;
  for (let i = 0; i < 5_000; i++) store.use({ nonce: cut(i), nc: 1, expiresAt, now });
  collect();
  const grown = getHeapStatistics().used_heap_size - before;
  assert.equal(store.size, 5_000);
  assert.equal(store.use({ nonce: cut(42), nc: 1, expiresAt, now }), "replay");
  // 5,000 header sections would be 40 MB; 5,000 nonces and their counts are well under 2 MB.
  assert.ok(grown < 4_000_000, `the store grew the heap by ${(grown / 1e6).toFixed(1)} MB`);
});
