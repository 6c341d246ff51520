import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createTimerValues } from "./timer-values.ts";

describe("timer values (RFC 3261 Table 4, RFC 6026)", () => {
  test("when nothing is given, then the RFC defaults apply", () => {
    assert.deepEqual(createTimerValues(), {
      t1: 500,
      t2: 4000,
      t4: 5000,
      timerB: 32_000,
      timerD: 32_000,
      timerF: 32_000,
      timerH: 32_000,
      timerI: 5000,
      timerJ: 32_000,
      timerK: 5000,
      timerL: 32_000,
      timerM: 32_000,
      tryingDelay: 200,
    });
  });

  test("when T1 and T4 change, then the timers derived from them follow, and Timer D never drops below 32 s", () => {
    const small = createTimerValues({ t1: 100, t4: 1000 });
    assert.equal(small.timerB, 6400);
    assert.equal(small.timerH, 6400);
    assert.equal(small.timerK, 1000);
    assert.equal(small.timerD, 32_000);
    assert.equal(createTimerValues({ t1: 1000 }).timerD, 64_000);
  });

  test("when one timer is overridden or given as undefined, then only that one changes", () => {
    const values = createTimerValues({ timerD: 40_000, t2: undefined });
    assert.equal(values.timerD, 40_000);
    assert.equal(values.t2, 4000);
    assert.equal(values.timerB, 32_000);
  });

  test("when a value is negative, not finite, or T1 is zero, then it is refused", () => {
    assert.throws(() => createTimerValues({ t2: -1 }), RangeError);
    assert.throws(() => createTimerValues({ timerB: Number.POSITIVE_INFINITY }), RangeError);
    assert.throws(() => createTimerValues({ t1: 0 }), RangeError);
  });

  test("when two stacks use different values, then neither sees the other's (no globals)", () => {
    const a = createTimerValues({ t1: 250 });
    const b = createTimerValues();
    assert.equal(a.timerB, 16_000);
    assert.equal(b.timerB, 32_000);
    assert.ok(Object.isFrozen(a));
  });
});
