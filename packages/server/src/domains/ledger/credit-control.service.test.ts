import assert from "node:assert/strict";
import { test } from "node:test";
import type { Services } from "../../main/compose.ts";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";
import type { CallRate } from "../rating/rating.types.ts";
import type { Admission } from "./credit-control.types.ts";

const code = (expected: string) => (e: unknown) => e instanceof DomainError && e.code === expected;

const HEADER = "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment";

forEachDialectWithServices("credit control", (ctx) => {
  let serial = 0;

  /** An account on a plan pricing +44 at 0.06 a minute by the second (1,000 micro-units a second), with `balance`. */
  async function fundedAccount(balance: string): Promise<{ accountId: string; rate: CallRate }> {
    const { services } = ctx();
    serial++;
    const { id } = await services.accounts.create({ name: "Caller", email: `caller${serial}@example.com` });
    await services.rating.importDeck("PerSecond", `${HEADER}\n44,0.06,0,1,1\n`);
    await services.rating.assignPlan(id, "PerSecond");
    if (balance !== "0")
      await services.ledger.credit(id, balance, { reason: "Test credit", actor: "test", kind: "topup" });
    const rate = await services.rating.rateCall({
      accountId: id,
      direction: "outbound",
      destination: "+442079460958",
      at: ctx().clock.now(),
    });
    return { accountId: id, rate };
  }

  const admission = (accountId: string, rate: CallRate, nodeId = "node-1"): Admission => ({
    callId: `call-${++serial}@test`,
    accountId,
    nodeId,
    direction: "outbound",
    source: "+15555550100",
    destination: "+442079460958",
    rate,
  });

  const balanceOf = async (services: Services, accountId: string) =>
    (await services.ledger.balance(accountId)).balance;

  test("when the balance is below zero, then even a free call the account places is refused, and a free incoming call still rings", async () => {
    const { services } = ctx();
    const { id } = await services.accounts.create({ name: "Debtor", email: `debtor${++serial}@example.com` });
    await services.rating.importDeck("Free", `${HEADER}\n44,0,0,1,1\n`);
    await services.rating.assignPlan(id, "Free");
    await services.ledger.credit(id, "-10", { reason: "PayPal reversal", actor: "test" });
    const free = await services.rating.rateCall({
      accountId: id,
      direction: "outbound",
      destination: "+442079460958",
      at: ctx().clock.now(),
    });
    await assert.rejects(
      services.creditControl.authorise(admission(id, free)),
      code("BILLING.INSUFFICIENT_FUNDS"),
    );
    await assert.rejects(
      services.creditControl.authorise({ ...admission(id, free), direction: "onnet" }),
      code("BILLING.INSUFFICIENT_FUNDS"),
    );
    const incoming = await services.creditControl.authorise({ ...admission(id, free), direction: "inbound" });
    assert.ok(incoming.maxSeconds > 0);
  });

  test("when credit pays for 7 seconds, then the call is covered for 7 seconds and charged exactly that", async () => {
    const { services, clock } = ctx();
    const { accountId, rate } = await fundedAccount("0.007");
    const call = admission(accountId, rate);
    const granted = await services.creditControl.authorise(call);
    assert.deepEqual(
      { covered: granted.coveredSeconds, reserved: granted.reserved, max: granted.maxSeconds },
      { covered: 7, reserved: 7_000, max: 7 },
    );
    assert.equal(await services.creditControl.availableCredit(accountId), 0);
    clock.advance(3);
    await services.creditControl.markAnswered(call.callId);
    clock.advance(7);
    const { cdr, written } = await services.creditControl.finish(call.callId, {
      sipStatus: 200,
      hangupBy: "system-credit",
    });
    assert.equal(written, true);
    assert.deepEqual(
      [cdr.durationSeconds, cdr.billedSeconds, cdr.cost, cdr.hangupBy, cdr.ratePrefix],
      [7, 7, 7_000, "system-credit", "44"],
    );
    assert.equal(await balanceOf(services, accountId), 0);
    assert.deepEqual(await services.creditControl.callsOf(accountId), []);
  });

  test("when the first increment is unaffordable, then the call is refused with INSUFFICIENT_FUNDS", async () => {
    const { services } = ctx();
    const empty = await fundedAccount("0");
    await assert.rejects(
      services.creditControl.authorise(admission(empty.accountId, empty.rate)),
      code("BILLING.INSUFFICIENT_FUNDS"),
    );
    const { accountId, rate } = await fundedAccount("0.06");
    const first = await services.creditControl.authorise(admission(accountId, rate));
    assert.equal(first.coveredSeconds, 60);
    await assert.rejects(
      services.creditControl.authorise(admission(accountId, rate)),
      (e: unknown) => code("BILLING.INSUFFICIENT_FUNDS")(e) && (e as DomainError).details?.available === 0,
      "the first call holds all the credit",
    );
  });

  test("when a call is extended, then slices are held until the credit ends and no further", async () => {
    const { services } = ctx();
    const { accountId, rate } = await fundedAccount("0.15");
    const call = admission(accountId, rate);
    assert.equal((await services.creditControl.authorise(call)).coveredSeconds, 60);
    const steps = [];
    for (let i = 0; i < 3; i++) steps.push(await services.creditControl.extend(call.callId));
    assert.deepEqual(
      steps.map((s) => [s.coveredSeconds, s.reserved, s.extended]),
      [
        [120, 120_000, true],
        [150, 150_000, true],
        [150, 150_000, false],
      ],
    );
    await assert.rejects(services.creditControl.extend("no-such-call"), code("BILLING.CALL_NOT_FOUND"));
  });

  test("when a call is finished twice, then it has one CDR and is charged once", async () => {
    const { services, clock } = ctx();
    const { accountId, rate } = await fundedAccount("1");
    const call = admission(accountId, rate);
    await services.creditControl.authorise(call);
    await services.creditControl.markAnswered(call.callId);
    clock.advance(42);
    const outcome = { sipStatus: 200, hangupBy: "caller" as const };
    const first = await services.creditControl.finish(call.callId, outcome);
    const second = await services.creditControl.finish(call.callId, outcome);
    assert.equal(second.written, false);
    assert.equal(second.cdr.id, first.cdr.id);
    assert.equal(first.cdr.cost, 42_000);
    assert.equal(await balanceOf(services, accountId), 958_000);
    const charges = (await services.ledger.entries(accountId)).filter((e) => e.kind === "call_charge");
    assert.deepEqual(
      charges.map((e) => [e.amount, e.reference]),
      [[-42_000, first.cdr.id]],
    );
  });

  test("when a call is not answered, then its CDR costs nothing, no charge is posted and its hold is released", async () => {
    const { services, clock } = ctx();
    const { accountId, rate } = await fundedAccount("1");
    const call = admission(accountId, rate);
    await services.creditControl.authorise(call);
    clock.advance(20);
    const { cdr } = await services.creditControl.finish(call.callId, { sipStatus: 486, hangupBy: "callee" });
    assert.deepEqual([cdr.answeredAt, cdr.durationSeconds, cdr.cost, cdr.sipStatus], [null, 0, 0, 486]);
    assert.equal(await services.creditControl.availableCredit(accountId), 1_000_000);
    assert.deepEqual(
      (await services.ledger.entries(accountId)).map((e) => e.kind),
      ["topup"],
    );
  });

  test("when an on-net call is free, then it is admitted on an empty balance for the longest call allowed", async () => {
    const { services } = ctx();
    const { accountId } = await fundedAccount("0");
    const rate = await services.rating.rateCall({
      accountId,
      direction: "onnet",
      destination: "+15555550101",
      at: new Date(),
    });
    const granted = await services.creditControl.authorise({
      ...admission(accountId, rate),
      direction: "onnet",
    });
    assert.equal(granted.maxSeconds, 4 * 3600);
    assert.equal(granted.reserved, 0);
  });

  test("when many calls on one account authorise and extend at once, then together they never hold more than the balance", async () => {
    const { services, database } = ctx();
    const { accountId, rate } = await fundedAccount("1");
    const held = async () => {
      const rows = await database.db
        .selectFrom("calls_in_progress")
        .select("reserved")
        .where("account_id", "=", accountId)
        .execute();
      return rows.reduce((sum, r) => sum + Number(r.reserved), 0);
    };
    let running = true;
    const samples: number[] = [];
    const sampler = (async () => {
      while (running) {
        samples.push(await held());
        await new Promise((r) => setImmediate(r));
      }
    })();
    const callers = Array.from({ length: 30 }, async () => {
      const call = admission(accountId, rate);
      try {
        await services.creditControl.authorise(call);
      } catch (error) {
        if (code("BILLING.INSUFFICIENT_FUNDS")(error)) return { callId: undefined, refused: true };
        throw error;
      }
      while ((await services.creditControl.extend(call.callId)).extended) {}
      return { callId: call.callId, refused: false };
    });
    const outcomes = await Promise.all(callers);
    running = false;
    await sampler;
    const total = await held();
    assert.ok(
      samples.every((s) => s <= 1_000_000),
      `a sample held ${Math.max(...samples)}`,
    );
    assert.equal(total, 1_000_000, "the calls held every micro-unit, and not one more");
    assert.ok(
      outcomes.some((o) => o.refused),
      "some calls found the credit taken",
    );

    const { clock } = ctx();
    const admitted = outcomes.flatMap((o) => (o.callId ? [o.callId] : []));
    const calls = await services.creditControl.callsOf(accountId);
    for (const call of calls) await services.creditControl.markAnswered(call.callId, clock.now());
    const covered = new Map(calls.map((c) => [c.callId, c.coveredSeconds]));
    await Promise.all(
      admitted.map((callId) =>
        services.creditControl.finish(callId, {
          answeredAt: clock.now(),
          endedAt: new Date(clock.now().getTime() + (covered.get(callId) ?? 0) * 1000),
          sipStatus: 200,
          hangupBy: "system-credit",
        }),
      ),
    );
    assert.equal(
      await balanceOf(services, accountId),
      0,
      "cut at the covered second, the balance ends at zero",
    );
    assert.equal((await services.ledger.verifyBalances()).ok, true);
  });

  test("when calls of several accounts are finished in one batch, then each has one CDR and one charge", async () => {
    const { services, clock } = ctx();
    const first = await fundedAccount("1");
    const second = await fundedAccount("2");
    const calls = [
      admission(first.accountId, first.rate),
      admission(second.accountId, second.rate),
      admission(first.accountId, first.rate),
    ];
    for (const call of calls) await services.creditControl.authorise(call);
    for (const call of calls) await services.creditControl.markAnswered(call.callId);
    clock.advance(10);
    const early = await services.creditControl.finish(calls[2]?.callId ?? "", {
      sipStatus: 200,
      hangupBy: "caller",
    });
    const outcome = { sipStatus: 200, hangupBy: "callee" as const };
    const results = await services.creditControl.finishMany([
      { callId: calls[0]?.callId ?? "", outcome },
      { callId: calls[1]?.callId ?? "", outcome },
      { callId: calls[2]?.callId ?? "", outcome },
      { callId: calls[0]?.callId ?? "", outcome },
    ]);
    assert.deepEqual(
      results.map((r) => [r.cdr.callId, r.written, r.cdr.cost]),
      [
        [calls[0]?.callId, true, 10_000],
        [calls[1]?.callId, true, 10_000],
        [calls[2]?.callId, false, 10_000],
        [calls[0]?.callId, false, 10_000],
      ],
    );
    assert.equal(results[2]?.cdr.id, early.cdr.id);
    assert.equal(await balanceOf(services, first.accountId), 1_000_000 - 20_000);
    assert.equal(await balanceOf(services, second.accountId), 2_000_000 - 10_000);
    const charges = (await services.ledger.entries(first.accountId)).filter((e) => e.kind === "call_charge");
    assert.deepEqual(
      charges.map((e) => e.balanceAfter),
      [980_000, 990_000],
    );
    assert.equal((await services.ledger.verifyBalances()).ok, true);
  });

  test("when a node dies mid-call, then its calls are closed from their last heartbeat, charged once and given a CDR", async () => {
    const { services, clock } = ctx();
    const { accountId, rate } = await fundedAccount("5");
    const answered = admission(accountId, rate, "node-dead");
    const ringing = admission(accountId, rate, "node-dead");
    const elsewhere = admission(accountId, rate, "node-alive");
    for (const call of [answered, ringing, elsewhere]) await services.creditControl.authorise(call);
    await services.creditControl.markAnswered(answered.callId);
    const answeredAt = clock.now();
    clock.advance(30);
    assert.equal(await services.creditControl.heartbeat([answered.callId, ringing.callId, "gone"]), 2);
    clock.advance(25); // the node dies here, between heartbeats
    clock.advance(300); // and comes back up

    const recovered = await services.creditControl.recoverOrphans("node-dead");
    const byCall = new Map(recovered.map((r) => [r.cdr.callId, r.cdr]));
    const talked = byCall.get(answered.callId);
    assert.deepEqual(
      [
        talked?.answeredAt,
        talked?.endedAt,
        talked?.durationSeconds,
        talked?.cost,
        talked?.hangupBy,
        talked?.sipStatus,
      ],
      [
        answeredAt.toISOString(),
        new Date(answeredAt.getTime() + 30_000).toISOString(),
        30,
        30_000,
        "system-recovery",
        200,
      ],
    );
    assert.deepEqual([byCall.get(ringing.callId)?.cost, byCall.get(ringing.callId)?.sipStatus], [0, null]);
    assert.deepEqual(await services.creditControl.recoverOrphans("node-dead"), [], "nothing is closed twice");
    assert.deepEqual(
      (await services.creditControl.callsOf(accountId)).map((c) => c.callId),
      [elsewhere.callId],
      "the other node's call goes on",
    );
    assert.equal(await balanceOf(services, accountId), 5_000_000 - 30_000);

    const silent = await services.creditControl.recoverSilent(60);
    assert.deepEqual(
      silent.filter((r) => r.cdr.accountId === accountId).map((r) => r.cdr.callId),
      [elsewhere.callId],
      "a node silent for long is seen dead by others",
    );
  });
});
