import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Tariff } from "./rating.types.ts";
import { billedSeconds, chargeFor, costOfBilledSeconds, maxAffordableSeconds } from "./retail-cost.ts";

// 0.10 a minute by whole minutes, 0.05 to connect.
const perMinute: Tariff = {
  pricePerMinute: 100_000,
  connectFee: 50_000,
  initialIncrement: 60,
  subsequentIncrement: 60,
  minimumCharge: 0,
};
// 0.012 a minute: a first half minute, then six-second steps.
const thirtySix: Tariff = {
  pricePerMinute: 12_000,
  connectFee: 0,
  initialIncrement: 30,
  subsequentIncrement: 6,
  minimumCharge: 0,
};
// 0.0133 a minute by the second, at least 0.001 a call.
const perSecond: Tariff = {
  pricePerMinute: 13_300,
  connectFee: 0,
  initialIncrement: 1,
  subsequentIncrement: 1,
  minimumCharge: 1_000,
};

test("when calls are billed 60/60 with a connect fee, then each started minute and the fee are charged", () => {
  assert.deepEqual(chargeFor(perMinute, 0), { billedSeconds: 0, cost: 0 }, "unanswered: no fee either");
  assert.deepEqual(chargeFor(perMinute, 1), { billedSeconds: 60, cost: 150_000 });
  assert.deepEqual(chargeFor(perMinute, 60), { billedSeconds: 60, cost: 150_000 });
  assert.deepEqual(chargeFor(perMinute, 61), { billedSeconds: 120, cost: 250_000 });
  assert.deepEqual(chargeFor(perMinute, 3600), { billedSeconds: 3600, cost: 6_050_000 });
});

test("when calls are billed 30/6, then the first 30 seconds and then each started 6 seconds are charged", () => {
  assert.deepEqual(chargeFor(thirtySix, 1), { billedSeconds: 30, cost: 6_000 });
  assert.deepEqual(chargeFor(thirtySix, 30), { billedSeconds: 30, cost: 6_000 });
  assert.deepEqual(chargeFor(thirtySix, 31), { billedSeconds: 36, cost: 7_200 });
  // 30 + ceil(65 / 6) * 6 = 96 seconds at 200 micro-units a second.
  assert.deepEqual(chargeFor(thirtySix, 95), { billedSeconds: 96, cost: 19_200 });
});

test("when calls are billed 1/1 with a minimum charge, then short calls pay the minimum and fractions round up", () => {
  // 13,300 / 60 = 221.67 micro-units for one second: below the 1,000 minimum.
  assert.deepEqual(chargeFor(perSecond, 1), { billedSeconds: 1, cost: 1_000 });
  // 7 * 13,300 / 60 = 1,551.67, rounded up.
  assert.deepEqual(chargeFor(perSecond, 7), { billedSeconds: 7, cost: 1_552 });
  // 125 * 13,300 / 60 = 27,708.33, rounded up.
  assert.deepEqual(chargeFor(perSecond, 125), { billedSeconds: 125, cost: 27_709 });
  assert.equal(costOfBilledSeconds({ ...perSecond, pricePerMinute: 1, minimumCharge: 0 }, 1), 1);
});

test("when prices are far beyond 2^53 micro-unit-seconds, then the cost is still exact", () => {
  const dear: Tariff = { ...perSecond, pricePerMinute: 999_999_999_999_999, minimumCharge: 0 };
  assert.equal(costOfBilledSeconds(dear, 86_400), Number((86_400n * 999_999_999_999_999n + 59n) / 60n));
});

test("when credit is asked how long it lasts, then it is the end of the last increment it pays in full", () => {
  const oneASecond: Tariff = { ...perSecond, pricePerMinute: 60_000, minimumCharge: 0 };
  assert.equal(maxAffordableSeconds(oneASecond, 7_000), 7);
  assert.equal(maxAffordableSeconds(oneASecond, 7_999), 7);
  assert.equal(maxAffordableSeconds(oneASecond, 999), 0);
  assert.equal(maxAffordableSeconds(perMinute, 149_999), 0, "the first minute and the fee are not covered");
  assert.equal(maxAffordableSeconds(perMinute, 150_000), 60);
  assert.equal(maxAffordableSeconds(perMinute, 349_999), 120);
  assert.equal(maxAffordableSeconds(perMinute, 350_000), 180);
  assert.equal(maxAffordableSeconds(thirtySix, 6_000), 30);
  assert.equal(maxAffordableSeconds(thirtySix, 7_199), 30);
  assert.equal(maxAffordableSeconds(thirtySix, 7_200), 36);
  assert.equal(maxAffordableSeconds(perSecond, 999), 0, "below the minimum charge");
  assert.equal(maxAffordableSeconds(perSecond, 1_000), 4, "5 s would cost 1,109");
  assert.equal(maxAffordableSeconds({ ...thirtySix, pricePerMinute: 0 }, 0), Number.POSITIVE_INFINITY);
  assert.equal(maxAffordableSeconds(oneASecond, -5), 0);
});

test("when any tariff and credit are tried, then the affordable duration costs at most the credit and one step more costs more", () => {
  const tariff = fc.record({
    pricePerMinute: fc.integer({ min: 1, max: 10_000_000 }),
    connectFee: fc.integer({ min: 0, max: 1_000_000 }),
    initialIncrement: fc.integer({ min: 1, max: 120 }),
    subsequentIncrement: fc.integer({ min: 1, max: 120 }),
    minimumCharge: fc.integer({ min: 0, max: 1_000_000 }),
  });
  fc.assert(
    fc.property(tariff, fc.integer({ min: 0, max: 100_000_000 }), (t, credit) => {
      const seconds = maxAffordableSeconds(t, credit);
      if (seconds === 0) {
        assert.ok(costOfBilledSeconds(t, t.initialIncrement) > credit);
        return;
      }
      assert.equal(billedSeconds(t, seconds), seconds, "a whole number of increments");
      assert.ok(chargeFor(t, seconds).cost <= credit);
      assert.ok(chargeFor(t, seconds + 1).cost > credit);
    }),
    { numRuns: 2_000 },
  );
});
