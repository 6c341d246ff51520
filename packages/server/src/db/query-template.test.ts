import assert from "node:assert/strict";
import { test } from "node:test";
import { commandTemplate, queryTemplate } from "./query-template.ts";
import { forEachDialect } from "./testing/dialects.ts";
import { writeTransaction } from "./write-transaction.ts";

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

  test("when a write transaction is open and not yet committed, then a template read outside it never sees its rows", async () => {
    const { db } = database();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted = () => {};
    const insertedYet = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const rolledBack = writeTransaction(db, async (tx) => {
      await tx.insertInto("rate_plans").values(plan("qt-uncommitted", 1)).execute();
      inserted();
      await gate;
      throw new Error("rolled back on purpose");
    });
    await insertedYet;
    const read = planByIdAbove(db, "qt-uncommitted", 0);
    release();
    await assert.rejects(rolledBack, /rolled back on purpose/);
    assert.deepEqual(await read, []);
    assert.deepEqual(await planByIdAbove(db, "qt-uncommitted", 0), []);
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

const renamePlan = commandTemplate(2, (db, id: string, name: string) =>
  db.updateTable("rate_plans").set({ name }).where("id", "=", id),
);

forEachDialect("command template", (database) => {
  test("when a command template runs, then it changes the rows it names and says how many", async () => {
    const { db } = database();
    await db
      .insertInto("rate_plans")
      .values([plan("ct-a", 1), plan("ct-b", 1)])
      .execute();
    assert.equal(await renamePlan(db, "ct-a", "Alpha"), 1);
    assert.equal(await renamePlan(db, "ct-missing", "Nobody"), 0);
    const names = await db.selectFrom("rate_plans").select(["id", "name"]).orderBy("id").execute();
    assert.deepEqual(names, [
      { id: "ct-a", name: "Alpha" },
      { id: "ct-b", name: "ct-b" },
    ]);
  });

  test("when templates run inside a write transaction that then fails, then their writes are rolled back with it", async () => {
    const { db } = database();
    await db.insertInto("rate_plans").values(plan("ct-tx", 1)).execute();
    await assert.rejects(
      writeTransaction(db, async (tx) => {
        assert.equal(await renamePlan(tx, "ct-tx", "Inside"), 1);
        // The transaction sees its own write, through a template and through Kysely alike.
        assert.deepEqual(await planByIdAbove(tx, "ct-tx", 0), [{ id: "ct-tx", revision: 1 }]);
        const row = await tx
          .selectFrom("rate_plans")
          .select("name")
          .where("id", "=", "ct-tx")
          .executeTakeFirst();
        assert.equal(row?.name, "Inside");
        throw new Error("refused after the write");
      }),
      /refused after the write/,
    );
    const row = await db.selectFrom("rate_plans").select("name").where("id", "=", "ct-tx").executeTakeFirst();
    assert.equal(row?.name, "ct-tx");
  });

  test("when a template runs outside a transaction while a write transaction is open, then it runs after it, not inside it", async () => {
    const { db } = database();
    await db.insertInto("rate_plans").values(plan("ct-wait", 1)).execute();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const writing = writeTransaction(db, async (tx) => {
      await renamePlan(tx, "ct-wait", "Rolled back");
      await held;
      throw new Error("the transaction fails");
    });
    // Let the transaction start and write before the outside command is issued.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const outside = renamePlan(db, "ct-wait", "After");
    release();
    await assert.rejects(writing, /the transaction fails/);
    // Had it run inside the open transaction, the rollback would have undone it too.
    assert.equal(await outside, 1);
    const row = await db
      .selectFrom("rate_plans")
      .select("name")
      .where("id", "=", "ct-wait")
      .executeTakeFirst();
    assert.equal(row?.name, "After");
  });
});
