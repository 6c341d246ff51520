import assert from "node:assert/strict";
import { test } from "node:test";
import { CarrierDeck } from "./carrier-deck.ts";
import type { CarrierRate } from "./routing.types.ts";

const rate = (prefix: string, costPerMinute: number, description: string | null = null): CarrierRate => ({
  prefix,
  costPerMinute,
  connectCost: 1_000,
  initialIncrement: 30,
  subsequentIncrement: 6,
  description,
});

test("when prefixes nest, then a number gets the row of the longest prefix it starts with", () => {
  const deck = new CarrierDeck([
    rate("44", 10_000, "UK"),
    rate("447", 90_000, "UK Mobile"),
    rate("4420", 8_000),
  ]);
  assert.deepEqual(deck.longestMatch("447700900123"), rate("447", 90_000, "UK Mobile"));
  assert.deepEqual(deck.longestMatch("442079460958"), rate("4420", 8_000));
  assert.deepEqual(deck.longestMatch("441632960001"), rate("44", 10_000, "UK"));
  assert.deepEqual(deck.longestMatch("44"), rate("44", 10_000, "UK"));
});

test("when no prefix of the number is in the deck, then there is no rate", () => {
  const deck = new CarrierDeck([rate("447", 90_000), rate("1212555", 5_000)]);
  assert.equal(deck.longestMatch("4420794609"), undefined);
  assert.equal(deck.longestMatch("1212"), undefined, "a prefix longer than the number does not match");
  assert.equal(new CarrierDeck([]).longestMatch("15551234567"), undefined);
});

test("when a deck holds the full 15 digits and money beyond 32 bits, then both come back exactly", () => {
  const deck = new CarrierDeck([rate("123456789012345", 9_007_199_254_740_991)]);
  assert.equal(deck.longestMatch("123456789012345")?.costPerMinute, Number.MAX_SAFE_INTEGER);
  assert.equal(deck.size, 1);
});
