import assert from "node:assert/strict";
import { test } from "node:test";
import { ShortLivedCache } from "./short-lived-cache.ts";

function counter() {
  let clock = 0;
  let reads = 0;
  return {
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
    load: (value: string) => () => {
      reads++;
      return Promise.resolve(value);
    },
    get reads() {
      return reads;
    },
  };
}

test("when a key is asked again within its time, then the database is not read again; after it, it is", async () => {
  const c = counter();
  const cache = new ShortLivedCache<string, string>({ ttlMs: 1000, now: c.now });
  assert.equal(await cache.get("zq1", c.load("first")), "first");
  c.advance(999);
  assert.equal(await cache.get("zq1", c.load("second")), "first");
  assert.equal(c.reads, 1);
  c.advance(1);
  assert.equal(await cache.get("zq1", c.load("third")), "third");
  assert.equal(c.reads, 2);
});

test("when a value is forgotten or the cache cleared, then the next lookup reads the new value at once", async () => {
  const c = counter();
  const cache = new ShortLivedCache<string, string>({ ttlMs: 60_000, now: c.now });
  await cache.get("a", c.load("old a"));
  await cache.get("b", c.load("old b"));
  cache.forget("a");
  assert.equal(await cache.get("a", c.load("new a")), "new a");
  assert.equal(await cache.get("b", c.load("new b")), "old b");
  cache.clear();
  assert.equal(await cache.get("b", c.load("newer b")), "newer b");
});

test("when a change forgets a key while its read is in flight, then that older read is not kept", async () => {
  const c = counter();
  const cache = new ShortLivedCache<string, string>({ ttlMs: 60_000, now: c.now });
  let finish: (value: string) => void = () => {};
  const inFlight = cache.get("a", () => new Promise<string>((resolve) => (finish = resolve)));
  cache.forget("a");
  finish("before the change");
  assert.equal(await inFlight, "before the change");
  assert.equal(await cache.get("a", c.load("after the change")), "after the change");
});

test("when lookups for one key overlap, then they share a single read", async () => {
  const c = counter();
  const cache = new ShortLivedCache<string, string>({ ttlMs: 1000, now: c.now });
  const both = await Promise.all([cache.get("a", c.load("x")), cache.get("a", c.load("y"))]);
  assert.deepEqual(both, ["x", "x"]);
  assert.equal(c.reads, 1);
});

test("when a read fails, then the failure is not kept and the next lookup reads again", async () => {
  const c = counter();
  const cache = new ShortLivedCache<string, string>({ ttlMs: 60_000, now: c.now });
  await assert.rejects(
    cache.get("a", () => Promise.reject(new Error("database busy"))),
    /database busy/,
  );
  assert.equal(await cache.get("a", c.load("read again")), "read again");
});

test("when the cache is full, then the oldest entry makes room; with ttlMs 0 every lookup reads", async () => {
  const c = counter();
  const cache = new ShortLivedCache<string, string>({ ttlMs: 60_000, maxEntries: 2, now: c.now });
  await cache.get("a", c.load("a"));
  await cache.get("b", c.load("b"));
  await cache.get("c", c.load("c"));
  assert.equal(cache.size, 2);
  assert.equal(await cache.get("a", c.load("a again")), "a again");
  const uncached = new ShortLivedCache<string, string>({ ttlMs: 0, now: c.now });
  await uncached.get("a", c.load("1"));
  assert.equal(await uncached.get("a", c.load("2")), "2");
  assert.equal(uncached.size, 0);
});
