import assert from "node:assert/strict";
import { test } from "node:test";
import { INVENTORY } from "./inventory.ts";
import { addMonths } from "./privacy.service.ts";
import { erasurePlan, isExported, subjectTables, truncateNumber } from "./subject-data.ts";

test("when a table holds a customer's data, then the inventory names its archive dataset", () => {
  const missing = Object.entries(INVENTORY)
    .filter(([, table]) => table.subject !== undefined && table.dataset === undefined)
    .map(([name]) => name);
  assert.deepEqual(missing, [], "tables with a subject but no dataset: export and erasure would miss them");
});

test("when erasure pseudonymises a column, then the inventory names how, mechanically", () => {
  for (const [table, declaration] of Object.entries(INVENTORY)) {
    for (const [column, decl] of Object.entries(declaration.columns)) {
      if (decl.erasure.action === "pseudonymise") {
        assert.ok(decl.erasure.method, `${table}.${column} names its pseudonymisation method`);
      }
    }
  }
});

test("when a column holds a secret or a hash of one, then it is kept out of every export", () => {
  const secretLike = /(^|_)(hash|ha1|secret|password)(_|$)|totp_secret|ha1_/;
  for (const [table, declaration] of Object.entries(INVENTORY)) {
    if (declaration.subject === undefined) continue;
    for (const [column, decl] of Object.entries(declaration.columns)) {
      if (secretLike.test(column))
        assert.equal(isExported(decl), false, `${table}.${column} is never exported`);
    }
  }
});

test("when a customer is erased, then the account row stays emptied and the call records keep only what billing needs", () => {
  const byTable = new Map(subjectTables(INVENTORY).map((t) => [t.table, erasurePlan(t)]));
  const accounts = byTable.get("accounts");
  assert.equal(accounts?.rows, "keep");
  assert.ok(accounts?.cleared.includes("email") && accounts.cleared.includes("password_hash"));
  assert.equal(byTable.get("devices")?.rows, "delete");
  assert.equal(byTable.get("connection_log")?.rows, "delete");
  const cdrs = byTable.get("cdrs");
  assert.deepEqual(cdrs?.pseudonymised.map((p) => `${p.column}:${p.method}`).sort(), [
    "account_id:replace-account-link",
    "destination:truncate-number",
    "source:truncate-number",
  ]);
  assert.ok(cdrs?.holds.some((h) => /Billing records/.test(h.hold)));
});

test("when a number is truncated, then only its country code and first digits remain", () => {
  assert.equal(truncateNumber("+442079460123"), "+44207");
  assert.equal(truncateNumber("+14155550100"), "+1415");
  assert.equal(truncateNumber("+4930123456"), "+49301");
  assert.equal(
    truncateNumber("12345678"),
    "1234",
    "a dialled string that is no E.164 number keeps its first digits",
  );
  assert.equal(truncateNumber("911"), "");
});

test("when a deadline is a month later, then month ends clamp to the shorter month", () => {
  assert.equal(addMonths(new Date("2026-01-31T10:00:00Z"), 1).toISOString(), "2026-02-28T10:00:00.000Z");
  assert.equal(addMonths(new Date("2026-11-30T12:00:00Z"), 3).toISOString(), "2027-02-28T12:00:00.000Z");
  assert.equal(addMonths(new Date("2026-03-15T00:00:00Z"), 1).toISOString(), "2026-04-15T00:00:00.000Z");
});
