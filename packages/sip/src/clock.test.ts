import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock, systemClock } from "./clock.ts";

describe("FakeClock", () => {
  test("when time advances past several timers, then they fire in due order, each seeing its own due time", () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 300);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
    clock.advance(250);
    assert.deepEqual(fired, ["a@100", "b@200"]);
    assert.equal(clock.now(), 250);
    clock.advance(50);
    assert.deepEqual(fired, ["a@100", "b@200", "c@300"]);
  });

  test("when two timers fall due at the same instant, then they fire in the order they were set", () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    for (let i = 0; i < 5; i++) clock.setTimeout(() => fired.push(i), 10);
    clock.advance(10);
    assert.deepEqual(fired, [0, 1, 2, 3, 4]);
  });

  test("when a timer sets another timer that falls inside the same advance, then that one fires too", () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 100);
    }, 100);
    clock.advance(1000);
    assert.deepEqual(fired, [100, 200]);
  });

  test("when a timer is cleared, then it never fires and is no longer pending", () => {
    const clock = new FakeClock();
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 10);
    assert.equal(clock.pendingTimers, 1);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);
    assert.equal(clock.pendingTimers, 0);
    assert.equal(clock.nextDue(), undefined);
    clock.advance(100);
    assert.equal(fired, false);
  });

  test("when advancing to the next timer, then time jumps to its due time and undefined comes back once none is left", () => {
    const clock = new FakeClock(1000);
    clock.setTimeout(() => {}, 500);
    assert.equal(clock.advanceToNext(), 1500);
    assert.equal(clock.advanceToNext(), undefined);
    assert.throws(() => clock.advance(-1), RangeError);
  });
});

describe("systemClock", () => {
  test("when a timer is set on the real clock, then it fires after roughly that delay", async () => {
    const start = systemClock.now();
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 20));
    assert.ok(systemClock.now() - start >= 15);
  });

  test("when a real timer is cleared, then it does not fire", async () => {
    let fired = false;
    const handle = systemClock.setTimeout(() => {
      fired = true;
    }, 5);
    systemClock.clearTimeout(handle);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(fired, false);
  });
});
