import assert from "node:assert/strict";
import { test } from "node:test";
import { formatMicros, parseMicros } from "./money.ts";

test("when decimal prices are read, then they become exact micro-units, rounding up past the sixth place", () => {
  assert.equal(parseMicros("0.0123"), 12_300);
  assert.equal(parseMicros("1"), 1_000_000);
  assert.equal(parseMicros("0.1"), 100_000);
  assert.equal(parseMicros("0.0000001"), 1, "a sliver of a micro-unit is still charged");
  assert.equal(parseMicros("0.0000010"), 1);
  assert.equal(parseMicros(" 12.5 "), 12_500_000);
});

test("when a price is not a plain non-negative decimal, then it is refused", () => {
  for (const bad of ["", "-1", "1e3", "0,5", "abc", "1.", ".5", "0x10", "1234567890"]) {
    assert.equal(parseMicros(bad), undefined, bad);
  }
});

test("when micro-units are formatted, then they read back to the same value", () => {
  for (const micros of [0, 1, 12_300, 1_000_000, 987_654_321]) {
    assert.equal(parseMicros(formatMicros(micros)), micros);
  }
  assert.equal(formatMicros(-1_500_000), "-1.500000");
});
