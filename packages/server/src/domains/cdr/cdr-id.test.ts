import assert from "node:assert/strict";
import { test } from "node:test";
import { newCdrId } from "./cdr-id.ts";

test("when CDR ids are made, then they are version 7 UUIDs that sort by the time they were made", () => {
  const early = newCdrId(Date.parse("2026-11-30T12:00:00.000Z"));
  const late = newCdrId(Date.parse("2026-11-30T12:00:00.001Z"));
  assert.match(early, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(early < late);
  assert.equal(early.slice(0, 13), "01a22c53-8200", "48-bit big-endian milliseconds since 1970");
  assert.notEqual(newCdrId(0), newCdrId(0));
});
