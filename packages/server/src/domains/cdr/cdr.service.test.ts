import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";
import type { Cdr } from "./cdr.types.ts";

const code = (expected: string) => (e: unknown) => e instanceof DomainError && e.code === expected;

function syntheticCdr(accountId: string, startedAt: string, cost = 1_000): Cdr {
  const start = Date.parse(startedAt);
  return {
    id: randomUUID(),
    callId: `${randomUUID()}@test`,
    accountId,
    deviceId: null,
    direction: "outbound",
    source: "+15555550100",
    destination: "+442079460958",
    startedAt,
    answeredAt: new Date(start + 5_000).toISOString(),
    endedAt: new Date(start + 65_000).toISOString(),
    durationSeconds: 60,
    billedSeconds: 60,
    cost,
    currency: "USD",
    carrierId: null,
    sipStatus: 200,
    hangupBy: "caller",
    nodeId: "node-1",
    planId: null,
    ratePrefix: null,
  };
}

forEachDialectWithServices("call data records", (ctx) => {
  test("when an account's records are read by date range, then pages follow each other without gaps or repeats", async () => {
    const { services } = ctx();
    const mine = randomUUID();
    const other = randomUUID();
    const records = Array.from({ length: 25 }, (_, i) =>
      syntheticCdr(mine, new Date(Date.UTC(2026, 10, 1, 0, 0, i % 20)).toISOString()),
    );
    await services.cdrs.recordMany([
      ...records,
      syntheticCdr(other, "2026-11-01T00:00:01.000Z"),
      syntheticCdr(mine, "2026-10-31T23:59:59.999Z"),
      syntheticCdr(mine, "2026-11-02T00:00:00.000Z"),
    ]);
    const range = { accountId: mine, from: new Date("2026-11-01"), to: new Date("2026-11-02") };
    const seen: Cdr[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await services.cdrs.list({ ...range, cursor, limit: 10 });
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(
      seen.map((c) => c.id).sort(),
      records.map((c) => c.id).sort(),
      "every record of the range once, none of another account or outside the range",
    );
    const starts = seen.map((c) => c.startedAt);
    assert.deepEqual(starts, [...starts].sort().reverse(), "newest first");
    await assert.rejects(services.cdrs.list({ ...range, cursor: "garbage" }), code("CDR.INVALID_QUERY"));
    await assert.rejects(services.cdrs.list({ ...range, from: range.to }), code("CDR.INVALID_QUERY"));
  });

  test("when a sparse number or status filter is paged, then every page is full and the pages hold exactly the matches", async () => {
    const { services } = ctx();
    const account = randomUUID();
    const friend = "+33142685300";
    // 600 calls; one in 50 is with the friend, and one in 7 went unanswered.
    const records = Array.from({ length: 600 }, (_, i) => {
      const cdr = syntheticCdr(account, new Date(Date.UTC(2026, 7, 1, 0, 0, i)).toISOString());
      const unanswered = i % 7 === 0;
      return {
        ...cdr,
        destination: i % 50 === 0 ? friend : cdr.destination,
        ...(unanswered
          ? { answeredAt: null, durationSeconds: 0, billedSeconds: 0, cost: 0, sipStatus: 486 }
          : {}),
      };
    });
    await services.cdrs.recordMany(records);
    const range = { accountId: account, from: new Date("2026-08-01"), to: new Date("2026-08-02") };

    const pagesOf = async (filter: Record<string, string>, limit: number) => {
      const sizes: number[] = [];
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await services.cdrs.list({ ...range, ...filter, cursor, limit });
        sizes.push(page.items.length);
        ids.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      return { sizes, ids };
    };
    const expected = (keep: (c: Cdr) => boolean) =>
      records
        .filter(keep)
        .map((c) => c.id)
        .reverse();

    const withFriend = await pagesOf({ number: friend }, 5);
    assert.deepEqual(withFriend.sizes, [5, 5, 2], "12 calls with the friend in full pages of 5");
    assert.deepEqual(
      withFriend.ids,
      expected((c) => c.destination === friend),
    );

    const missed = await pagesOf({ status: "unanswered" }, 40);
    assert.deepEqual(missed.sizes, [40, 40, 6]);
    assert.deepEqual(
      missed.ids,
      expected((c) => c.answeredAt === null),
    );

    const answeredWithFriend = await pagesOf({ number: friend, status: "answered" }, 100);
    assert.deepEqual(
      answeredWithFriend.ids,
      expected((c) => c.destination === friend && c.answeredAt !== null),
    );
    const source = await pagesOf({ number: "+15555550100" }, 1000);
    assert.equal(source.ids.length, 600, "the number matches the source as well as the destination");
  });

  test("when a number filter carries SQL, then it is a value that matches nothing and the records stay", async () => {
    const { services } = ctx();
    const account = randomUUID();
    await services.cdrs.recordMany([syntheticCdr(account, "2026-08-03T10:00:00.000Z")]);
    const range = { accountId: account, from: new Date("2026-08-03"), to: new Date("2026-08-04") };
    for (const number of ["' OR '1'='1", "+1' OR 1=1 --", "x'); DROP TABLE cdrs; --", "%", "_"]) {
      const page = await services.cdrs.list({ ...range, number });
      assert.deepEqual(page.items, [], number);
    }
    assert.equal((await services.cdrs.list(range)).items.length, 1, "the table is still there");
  });

  test("when records are exported, then the CSV has a header and one line per record of the range, oldest first", async () => {
    const { services } = ctx();
    const account = randomUUID();
    const late = syntheticCdr(account, "2026-09-01T10:00:00.000Z", 1_234_567);
    const early = { ...syntheticCdr(account, "2026-09-01T09:00:00.000Z"), callId: 'odd,"id"@test' };
    await services.cdrs.recordMany([late, early]);
    let csv = "";
    const count = await services.cdrs.exportCsv(
      { accountId: account, from: new Date("2026-09-01"), to: new Date("2026-09-02") },
      (chunk) => {
        csv += chunk;
      },
    );
    assert.equal(count, 2);
    const lines = csv.trimEnd().split("\n");
    assert.equal(lines[0]?.split(",").length, 17);
    assert.match(lines[0] ?? "", /^id,call_id,account_id,/);
    assert.ok(lines[1]?.startsWith(`${early.id},"odd,""id""@test",${account},`));
    assert.match(lines[2] ?? "", /,1\.234567,USD,,200,caller$/);
  });

  test("when a deck is corrected and calls are rerated, then each difference becomes one ledger adjustment", async () => {
    const { services, clock } = ctx();
    const header =
      "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment,effective_from";
    await services.rating.importDeck("Rerated", `${header}\n44,0.10,0,60,60,\n44,0.50,0,60,60,2030-01-01\n`);
    const { id: accountId } = await services.accounts.create({ name: "R", email: "rerate@example.com" });
    await services.rating.assignPlan(accountId, "Rerated");
    await services.ledger.credit(accountId, "10", { reason: "Start", actor: "test", kind: "topup" });
    const from = clock.now();
    const callIds: string[] = [];
    for (const seconds of [90, 30]) {
      const rate = await services.rating.rateCall({
        accountId,
        direction: "outbound",
        destination: "+442079460958",
        at: clock.now(),
      });
      const callId = `${randomUUID()}@test`;
      callIds.push(callId);
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
      clock.advance(seconds);
      await services.creditControl.finish(callId, { sipStatus: 200, hangupBy: "caller" });
    }
    // 120 s + 60 s billed at 0.10 a minute.
    assert.equal((await services.ledger.balance(accountId)).balance, 10_000_000 - 300_000);

    await services.rating.importDeck("Rerated", `${header}\n44,0.08,0,30,6,\n`);
    const to = new Date(clock.now().getTime() + 1_000);
    const run = await services.cdrs.rerate({ from, to, runId: "fix-1" });
    // 90 s is now 90 billed at 0.08 (120,000); 30 s is 30 billed (40,000).
    assert.deepEqual([run.checked, run.changed, run.difference, run.skipped], [2, 2, -140_000, []]);
    const cdrs = await Promise.all(callIds.map((id) => services.cdrs.byCallId(id)));
    assert.deepEqual(
      cdrs.map((c) => [c?.billedSeconds, c?.cost]),
      [
        [90, 120_000],
        [30, 40_000],
      ],
    );
    const adjustments = (await services.ledger.entries(accountId)).filter((e) => e.kind === "adjustment");
    // Refunds: 200,000 - 120,000 and 100,000 - 40,000.
    assert.deepEqual(
      new Map(adjustments.map((e) => [e.reference, [e.amount, e.actor]])),
      new Map([
        [`rerate:fix-1:${cdrs[0]?.id}`, [80_000, "rerate:fix-1"]],
        [`rerate:fix-1:${cdrs[1]?.id}`, [60_000, "rerate:fix-1"]],
      ]),
    );
    assert.equal((await services.ledger.balance(accountId)).balance, 10_000_000 - 160_000);

    const again = await services.cdrs.rerate({ from, to, runId: "fix-1" });
    const other = await services.cdrs.rerate({ from, to });
    assert.deepEqual([again.changed, other.changed], [0, 0], "rerating again finds nothing to change");
    assert.equal((await services.ledger.balance(accountId)).balance, 10_000_000 - 160_000);
    assert.equal((await services.ledger.verifyBalances()).ok, true);
  });
});
