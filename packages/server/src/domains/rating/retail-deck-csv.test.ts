import assert from "node:assert/strict";
import { test } from "node:test";
import { DomainError } from "../domain-error.ts";
import { SINCE_ALWAYS } from "./instant.ts";
import { formatRetailDeck, parseRetailDeck } from "./retail-deck-csv.ts";

const HEADER = "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment";

test("when a deck is read, then prices become micro-units, blanks take defaults and dates become UTC instants", () => {
  const rates = parseRetailDeck(
    `${HEADER},effective_from,minimum_charge\n44,0.0125,0.05,30,6,,\n1,0.01,,60,60,2026-12-01T01:00:00+01:00,0.02\n`,
  );
  assert.deepEqual(rates, [
    {
      prefix: "44",
      effectiveFrom: SINCE_ALWAYS,
      pricePerMinute: 12_500,
      connectFee: 50_000,
      initialIncrement: 30,
      subsequentIncrement: 6,
      minimumCharge: 0,
    },
    {
      prefix: "1",
      effectiveFrom: "2026-12-01T00:00:00.000Z",
      pricePerMinute: 10_000,
      connectFee: 0,
      initialIncrement: 60,
      subsequentIncrement: 60,
      minimumCharge: 20_000,
    },
  ]);
});

test("when a deck has a bad row, then the error names its line and what is wrong", () => {
  const cases: Array<[string, RegExp]> = [
    [`${HEADER}\n1,0.01,0,1,1\n1x,0.02,0,1,1\n`, /^Line 3: prefix must be 1 to 15 digits, not "1x"/],
    [
      `${HEADER}\n1,0.01,0,1,1\n1,0.02,0,1,1\n`,
      /^Line 3: prefix 1 with the same effective_from is on line 2/,
    ],
    [`${HEADER}\n1,-0.01,0,1,1\n`, /^Line 2: price_per_minute must be a non-negative decimal/],
    [`${HEADER}\n1,0.01,abc,1,1\n`, /^Line 2: connect_fee must be a non-negative decimal/],
    [
      `${HEADER}\n1,0.01,0,0,1\n`,
      /^Line 2: initial_increment must be a whole number of seconds from 1 to 3600/,
    ],
    [`${HEADER}\n1,0.01,0,1,3601\n`, /^Line 2: subsequent_increment must be/],
    [`${HEADER},effective_from\n1,0.01,0,1,1,2026-02-30\n`, /^Line 2: effective_from must be an ISO-8601/],
    [`${HEADER},effective_from\n1,0.01,0,1,1,2026-12-01T00:00:00\n`, /^Line 2: effective_from must be/],
    [`${HEADER},minimum_charge\n1,0.01,0,1,1,1e3\n`, /^Line 2: minimum_charge must be/],
    ["prefix,price_per_minute\n1,0.01\n", /^Line 1: the header row lacks the column connect_fee/],
    [`${HEADER},price\n1,0.01,0,1,1,2\n`, /^Line 1: unknown column price/],
    [`${HEADER}\n1,0.01,0,1\n`, /^Line 2: the file is not valid CSV/],
    ["", /^Line 1: the file is empty/],
  ];
  for (const [csv, message] of cases) {
    assert.throws(
      () => parseRetailDeck(csv),
      (e: unknown) => e instanceof DomainError && e.code === "RATING.INVALID_DECK" && message.test(e.message),
      csv,
    );
  }
});

test("when a deck is written and read back, then every row is the same", () => {
  const rates = parseRetailDeck(
    `${HEADER},minimum_charge,effective_from\n4420,0.0123456,0.1,1,1,0.0000001,2027-01-01\n4420,0.02,0,60,60,,\n9,1,0,30,6,2,\n`,
  );
  assert.deepEqual(parseRetailDeck(formatRetailDeck(rates)), rates);
  assert.match(
    formatRetailDeck(rates),
    /^prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment,effective_from,minimum_charge\n/,
  );
});
