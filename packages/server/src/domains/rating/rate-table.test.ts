import assert from "node:assert/strict";
import { test } from "node:test";
import { SINCE_ALWAYS } from "./instant.ts";
import { RateTable } from "./rate-table.ts";
import type { RetailRate } from "./rating.types.ts";

const row = (prefix: string, pricePerMinute: number, effectiveFrom = SINCE_ALWAYS): RetailRate => ({
  prefix,
  effectiveFrom,
  pricePerMinute,
  connectFee: 0,
  initialIncrement: 1,
  subsequentIncrement: 1,
  minimumCharge: 0,
});

const at = (iso: string) => Date.parse(iso);

test("when several prefixes match, then the longest one prices the call", () => {
  const table = new RateTable([row("4", 1), row("44", 2), row("4420", 3), row("1", 4)]);
  assert.equal(table.lookup("442079460958", at("2026-12-01T00:00:00Z"))?.pricePerMinute, 3);
  assert.equal(table.lookup("441614960000", at("2026-12-01T00:00:00Z"))?.pricePerMinute, 2);
  assert.equal(table.lookup("4930", at("2026-12-01T00:00:00Z"))?.pricePerMinute, 1);
  assert.equal(table.lookup("33142685300", at("2026-12-01T00:00:00Z")), undefined);
  assert.equal(table.lookup("44*", at("2026-12-01T00:00:00Z"))?.pricePerMinute, 2, "stops at a non-digit");
  assert.equal(table.size, 4);
});

test("when a prefix has a newer row loaded ahead of its start, then calls before it keep the old price", () => {
  const table = new RateTable([
    row("44", 30, "2027-01-01T00:00:00.000Z"),
    row("44", 10),
    row("44", 20, "2026-12-01T00:00:00.000Z"),
  ]);
  assert.equal(table.lookup("4420", at("2026-11-30T23:59:59.999Z"))?.pricePerMinute, 10);
  assert.equal(table.lookup("4420", at("2026-12-01T00:00:00.000Z"))?.pricePerMinute, 20);
  assert.equal(table.lookup("4420", at("2026-12-31T12:00:00.000Z"))?.pricePerMinute, 20);
  assert.equal(table.lookup("4420", at("2027-01-01T00:00:00.000Z"))?.pricePerMinute, 30);
});

test("when the longest prefix has only rows still to come, then a shorter prefix in effect prices the call", () => {
  const table = new RateTable([row("1", 5), row("1876", 50, "2027-01-01T00:00:00.000Z")]);
  assert.equal(table.lookup("18765550100", at("2026-12-15T00:00:00Z"))?.pricePerMinute, 5);
  assert.equal(table.lookup("18765550100", at("2027-01-02T00:00:00Z"))?.pricePerMinute, 50);
});
