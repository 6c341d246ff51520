import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachDialect } from "./testing/dialects.ts";
import { writeTransaction } from "./write-transaction.ts";

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

forEachDialect("write transaction", (database) => {
  test("when the work fails half-way, then nothing it wrote stays and the error is the work's own", async () => {
    const { db } = database();
    await assert.rejects(
      writeTransaction(db, async (tx) => {
        await tx.insertInto("rate_plans").values(plan("half-way")).execute();
        throw new Error("the work failed");
      }),
      /the work failed/,
    );
    assert.equal(
      await db.selectFrom("rate_plans").select("id").where("id", "=", "half-way").executeTakeFirst(),
      undefined,
    );
  });

  test("when the work succeeds, then its writes are committed and its result returned", async () => {
    const { db } = database();
    const result = await writeTransaction(db, async (tx) => {
      await tx.insertInto("rate_plans").values(plan("committed")).execute();
      return "done";
    });
    assert.equal(result, "done");
    assert.equal(
      (await db.selectFrom("rate_plans").select("id").where("id", "=", "committed").executeTakeFirst())?.id,
      "committed",
    );
  });
});
