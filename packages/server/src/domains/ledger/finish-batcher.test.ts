import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import type { CallOutcome } from "./credit-control.types.ts";
import { FinishBatcher } from "./finish-batcher.ts";

forEachDialectWithServices("finish batcher", (ctx) => {
  test("when calls end within a few milliseconds, then they are written in one batch and each caller learns its CDR", async () => {
    const { services, clock } = ctx();
    const { id: accountId } = await services.accounts.create({ name: "Batch", email: "batch@example.com" });
    await services.rating.importDeck(
      "Batched",
      "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment\n44,0.06,0,1,1\n",
    );
    await services.rating.assignPlan(accountId, "Batched");
    await services.ledger.credit(accountId, "1", { reason: "Start", actor: "test", kind: "topup" });
    const rate = await services.rating.rateCall({
      accountId,
      direction: "outbound",
      destination: "+442079460958",
      at: clock.now(),
    });
    const callIds = ["b1@test", "b2@test", "b3@test"];
    for (const callId of callIds) {
      await services.creditControl.authorise({
        callId,
        accountId,
        nodeId: "node-1",
        direction: "outbound",
        source: "+15555550100",
        destination: "+442079460958",
        rate,
      });
      await services.creditControl.markAnswered(callId);
    }
    const batches: number[] = [];
    const batcher = new FinishBatcher(
      {
        finishMany: (calls: ReadonlyArray<{ callId: string; outcome: CallOutcome }>) => {
          batches.push(calls.length);
          return services.creditControl.finishMany(calls);
        },
      },
      { maxDelayMs: 20, now: clock.now },
    );
    const ending = callIds.map((callId, i) => {
      clock.advance(i === 0 ? 5 : 1);
      return batcher.finish(callId, { sipStatus: 200, hangupBy: "caller" });
    });
    clock.advance(60); // what the clock says when the batch is written does not count
    const finished = await Promise.all(ending);
    assert.deepEqual(batches, [3]);
    assert.deepEqual(
      finished.map((f) => [f.cdr.callId, f.cdr.durationSeconds, f.written]),
      [
        ["b1@test", 5, true],
        ["b2@test", 6, true],
        ["b3@test", 7, true],
      ],
    );
    assert.equal((await services.ledger.balance(accountId)).balance, 1_000_000 - 18_000);
    await batcher.flush();
  });
});
