/**
 * Call data records written durably per second, on SQLite and PostgreSQL.
 *
 *   npx tsx bench/cdr-write/index.ts [--records 100000] [--batch 1000] [--calls 2000] [--concurrency 16]
 *
 * - "recordMany": `CdrService.recordMany`, `--batch` records to a transaction, each transaction
 *   committed before the next starts (wall-clock records per second).
 * - "finish": `CreditControlService.finish` on answered calls in progress, `--concurrency` at a
 *   time across 100 accounts: each is one transaction writing a CDR, a ledger charge and the new
 *   balance, and removing the call in progress (wall-clock calls per second).
 *
 * Durability: PostgreSQL runs with its defaults here (synchronous_commit on: every commit is
 * flushed to its WAL on disk). SQLite runs as Zaqros opens it (WAL, synchronous=NORMAL: a commit
 * survives a crash of the process, and reaches the disk at the next checkpoint); the recordMany
 * case is also measured with synchronous=FULL, where every commit is flushed.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import type { DialectName } from "../../packages/server/src/db/connection.ts";
import { createTestDatabase } from "../../packages/server/src/db/testing/dialects.ts";
import type { Cdr } from "../../packages/server/src/domains/cdr/cdr.types.ts";
import { newCdrId } from "../../packages/server/src/domains/cdr/cdr-id.ts";
import { composeServices, type Services } from "../../packages/server/src/main/compose.ts";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "100000" },
    batch: { type: "string", default: "1000" },
    calls: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "16" },
    "batched-calls": { type: "string", default: "20000" },
    dialect: { type: "string" },
  },
});
const records = Number(values.records);
const batch = Number(values.batch);
const calls = Number(values.calls);
const concurrency = Number(values.concurrency);
const batchedCalls = Number(values["batched-calls"]);
const ACCOUNTS = 100;

const line = (name: string, value: string) => console.log(`${name.padEnd(52)} ${value}`);
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;

function syntheticCdr(accountId: string, i: number): Cdr {
  const start = Date.UTC(2026, 10, 1) + i * 1000;
  return {
    id: newCdrId(start + 94_000),
    callId: `${randomUUID()}@bench`,
    accountId,
    deviceId: randomUUID(),
    direction: "outbound",
    source: "+15555550100",
    destination: `+44207946${String(i % 10_000).padStart(4, "0")}`,
    startedAt: new Date(start).toISOString(),
    answeredAt: new Date(start + 4_000).toISOString(),
    endedAt: new Date(start + 94_000).toISOString(),
    durationSeconds: 90,
    billedSeconds: 90,
    cost: 19_950,
    currency: "USD",
    carrierId: randomUUID(),
    sipStatus: 200,
    hangupBy: "caller",
    nodeId: "node-1",
    planId: randomUUID(),
    ratePrefix: "44",
  };
}

async function recordMany(services: Services, accountIds: string[]): Promise<number> {
  const all = Array.from({ length: records }, (_, i) =>
    syntheticCdr(accountIds[i % accountIds.length] as string, i),
  );
  const started = performance.now();
  for (let i = 0; i < all.length; i += batch) await services.cdrs.recordMany(all.slice(i, i + batch));
  return performance.now() - started;
}

/** Admits and answers `count` calls spread over the accounts (not timed). */
async function callsInProgress(services: Services, accountIds: string[], count: number): Promise<string[]> {
  const callIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const accountId = accountIds[i % accountIds.length] as string;
    const callRate = await services.rating.rateCall({
      accountId,
      direction: "outbound",
      destination: "+442079460958",
      at: new Date(),
    });
    const callId = `${randomUUID()}@bench`;
    await services.creditControl.authorise({
      callId,
      accountId,
      nodeId: "node-1",
      direction: "outbound",
      source: "+15555550100",
      destination: "+442079460958",
      rate: callRate,
    });
    await services.creditControl.markAnswered(callId, new Date(Date.now() - 90_000));
    callIds.push(callId);
  }
  return callIds;
}

async function finishOneByOne(services: Services, callIds: string[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < callIds.length) {
        const callId = callIds[next++] as string;
        await services.creditControl.finish(callId, { sipStatus: 200, hangupBy: "caller" });
      }
    }),
  );
  return performance.now() - started;
}

async function finishInBatches(services: Services, callIds: string[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < callIds.length; i += batch) {
    await services.creditControl.finishMany(
      callIds
        .slice(i, i + batch)
        .map((callId) => ({ callId, outcome: { sipStatus: 200, hangupBy: "caller" } })),
    );
  }
  return performance.now() - started;
}

console.log(
  `CDR write benchmark: Node ${process.version}; ${records.toLocaleString("en-US")} records in batches of ${batch}; ${calls} calls finished ${concurrency} at a time`,
);
const dialects = (values.dialect ? [values.dialect] : ["sqlite", "postgres"]) as DialectName[];
for (const dialect of dialects) {
  const database = await createTestDatabase(dialect);
  try {
    const services = composeServices(database.db, { sipDomain: "bench.invalid" });
    await services.rating.importDeck(
      "Bench",
      "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment\n44,0.0133,0,1,1\n",
    );
    const accountIds: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const { id } = await services.accounts.create({ name: "Bench", email: `bench${i}@example.com` });
      await services.rating.assignPlan(id, "Bench");
      await services.ledger.credit(id, "1000", { reason: "Bench", actor: "bench", kind: "topup" });
      accountIds.push(id);
    }
    line(`recordMany [${dialect}]`, rate(records, await recordMany(services, accountIds)));
    if (dialect === "sqlite") {
      await sql`pragma synchronous = full`.execute(database.db);
      line("recordMany [sqlite, synchronous=FULL]", rate(records, await recordMany(services, accountIds)));
      await sql`pragma synchronous = normal`.execute(database.db);
    }
    const single = await callsInProgress(services, accountIds, calls);
    line(`finish, one call a transaction [${dialect}]`, rate(calls, await finishOneByOne(services, single)));
    const batched = await callsInProgress(services, accountIds, batchedCalls);
    line(
      `finishMany, ${batch} calls a transaction [${dialect}]`,
      rate(batchedCalls, await finishInBatches(services, batched)),
    );
    const check = await services.ledger.verifyBalances();
    if (!check.ok) throw new Error(`balances disagree with the ledger after the run on ${dialect}`);
  } finally {
    await database.close();
  }
}
