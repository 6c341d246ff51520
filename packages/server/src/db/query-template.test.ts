import assert from "node:assert/strict";
import { test } from "node:test";
import { queryTemplate } from "./query-template.ts";
import { forEachDialect } from "./testing/dialects.ts";

const plan = (id: string, revision: number) => ({
  id,
  name: id,
  currency: "USD",
  onnet_price_per_minute: 0,
  inbound_price_per_minute: 0,
  revision,
  created_at: "2026-11-30T12:00:00.000Z",
  updated_at: "2026-11-30T12:00:00.000Z",
});

const planByIdAbove = queryTemplate(2, (db, id: string, revision: number) =>
  db
    .selectFrom("rate_plans")
    .select(["id", "revision"])
    .where("id", "=", id)
    .where("revision", ">", revision)
    .where("currency", "=", "USD"),
);

forEachDialect("query template", (database) => {
  test("when a template runs with new values each time, then each run answers for its own values", async () => {
    const { db } = database();
    await db
      .insertInto("rate_plans")
      .values([plan("qt-a", 1), plan("qt-b", 5)])
      .execute();
    assert.deepEqual(await planByIdAbove(db, "qt-a", 0), [{ id: "qt-a", revision: 1 }]);
    assert.deepEqual(await planByIdAbove(db, "qt-b", 4), [{ id: "qt-b", revision: 5 }]);
    assert.deepEqual(await planByIdAbove(db, "qt-b", 5), []);
    await db.transaction().execute(async (tx) => {
      assert.deepEqual(await planByIdAbove(tx, "qt-a", 0), [{ id: "qt-a", revision: 1 }]);
    });
  });

  test("when an argument does not become a bound parameter, then the first use says so", async () => {
    const { db } = database();
    const broken = queryTemplate(1, (db, limit: number) =>
      db
        .selectFrom("rate_plans")
        .select("id")
        .limit(Number.isFinite(limit) ? 1 : 2),
    );
    await assert.rejects(broken(db, 3), /each argument must be a bound parameter/);
  });
});
