import assert from "node:assert/strict";
import { test } from "node:test";
import { openDatabase } from "./connection.ts";
import { migrateToLatest } from "./migrator.ts";

const plan = (id: string) => ({
  id,
  name: id,
  currency: "USD",
  onnet_price_per_minute: 0,
  inbound_price_per_minute: 0,
  revision: 0,
  created_at: "2026-11-30T12:00:00.000Z",
  updated_at: "2026-11-30T12:00:00.000Z",
});

test("when the same query runs again with new values, then each run answers for its own values (SQLite)", async () => {
  const handle = openDatabase({ dataDir: "", sqliteFile: ":memory:" });
  try {
    await migrateToLatest(handle.db);
    for (const id of ["a", "b", "c"]) await handle.db.insertInto("rate_plans").values(plan(id)).execute();
    const names = [];
    for (const id of ["c", "a", "missing", "b"]) {
      const row = await handle.db
        .selectFrom("rate_plans")
        .select("name")
        .where("id", "=", id)
        .executeTakeFirst();
      names.push(row?.name);
    }
    assert.deepEqual(names, ["c", "a", undefined, "b"]);
  } finally {
    await handle.close();
  }
});

test("when a streaming query is left half-way, then the same query runs again and gives all its rows (SQLite)", async () => {
  const handle = openDatabase({ dataDir: "", sqliteFile: ":memory:" });
  try {
    await migrateToLatest(handle.db);
    for (const id of ["a", "b", "c"]) await handle.db.insertInto("rate_plans").values(plan(id)).execute();
    const query = () => handle.db.selectFrom("rate_plans").select("id").orderBy("id");
    for await (const row of query().stream()) {
      assert.equal(row.id, "a");
      break;
    }
    assert.deepEqual(
      (await query().execute()).map((r) => r.id),
      ["a", "b", "c"],
    );
  } finally {
    await handle.close();
  }
});
