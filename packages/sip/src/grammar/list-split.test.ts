import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { nextListComma, splitHeaderList } from "./list-split.ts";

describe("splitHeaderList", () => {
  test("when commas sit inside quotes or angle brackets, then they do not split the value", () => {
    assert.deepEqual(splitHeaderList('"Bell, A." <sip:a@b;x=1,2>;q=0.5 , <sip:c@d>,sip:e@f'), [
      '"Bell, A." <sip:a@b;x=1,2>;q=0.5',
      "<sip:c@d>",
      "sip:e@f",
    ]);
  });

  test("when a quoted string holds an escaped quote, then the split still respects it", () => {
    assert.deepEqual(splitHeaderList('"a\\",b" <sip:a@b>, <sip:c@d>'), ['"a\\",b" <sip:a@b>', "<sip:c@d>"]);
  });

  test("when elements are empty, then they are kept as empty strings", () => {
    assert.deepEqual(splitHeaderList(";;,,;"), [";;", "", ";"]);
  });

  test("when a quote or bracket never closes, then the rest is one element", () => {
    assert.deepEqual(splitHeaderList('<sip:a@b>, "open, <sip:c@d>'), ["<sip:a@b>", '"open, <sip:c@d>']);
    assert.equal(nextListComma("<sip:a@b, c"), -1);
  });
});
