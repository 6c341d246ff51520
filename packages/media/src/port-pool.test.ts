import assert from "node:assert/strict";
import { test } from "node:test";
import { MediaError } from "./media-error.ts";
import { PortPool } from "./port-pool.ts";

function takeAll(pool: PortPool): number[] {
  return Array.from({ length: pool.available }, () => pool.take());
}

test("when a range is configured, then it hands out even RTP ports whose odd neighbour is in range", () => {
  const pool = new PortPool(20001, 20010);
  assert.deepEqual(takeAll(pool), [20002, 20004, 20006, 20008]);
});

test("when every pair is taken, then taking another fails with MEDIA.PORTS_EXHAUSTED", () => {
  const pool = new PortPool(30000, 30003);
  takeAll(pool);
  assert.throws(
    () => pool.take(),
    (error) =>
      error instanceof MediaError &&
      error.code === "MEDIA.PORTS_EXHAUSTED" &&
      /30000-30003/.test(error.message),
  );
});

test("when a pair is given back, then it can be taken again, after the pairs that were free longer", () => {
  const pool = new PortPool(30000, 30005);
  const [first] = [pool.take(), pool.take()];
  pool.give(first!);
  assert.equal(pool.available, 2);
  assert.equal(pool.take(), 30004);
  assert.equal(pool.take(), 30000);
});

test("when a port that was not taken is given back, then the pool does not grow", () => {
  const pool = new PortPool(30000, 30003);
  pool.give(30000);
  pool.give(31000);
  assert.equal(pool.available, 2);
  assert.deepEqual(takeAll(pool), [30000, 30002]);
});

test("when the range holds no even/odd pair or is not a port range, then the pool refuses it", () => {
  for (const [min, max] of [
    [30001, 30001],
    [30002, 30002],
    [30010, 30000],
    [0, 10],
    [65000, 70000],
  ] as const) {
    assert.throws(
      () => new PortPool(min, max),
      (error) => error instanceof MediaError && error.code === "MEDIA.INVALID_CONFIG",
    );
  }
});
