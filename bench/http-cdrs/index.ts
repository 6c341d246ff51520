/**
 * Requests per second and latency of `GET /api/v1/cdrs` (a page of 50, filtered by date) with
 * 1,000,000 call records in the database, on SQLite and PostgreSQL.
 *
 *   npx tsx bench/http-cdrs/index.ts [--records 1000000] [--seconds 10] [--connections 10] [--dialect sqlite|postgres]
 *
 * The records belong to one account (the worst case for a per-account index), one a second over
 * about 11.6 days. The server listens on 127.0.0.1 only, logs at warn, and its per-key rate limit
 * is lifted so it measures the API, not the limiter. The plan of the listing query is printed so
 * a missing index shows.
 */
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { type Kysely, sql } from "kysely";
import { Registry } from "prom-client";
import type { DialectName } from "../../packages/server/src/db/connection.ts";
import type { Database } from "../../packages/server/src/db/schema.ts";
import { createTestDatabase } from "../../packages/server/src/db/testing/dialects.ts";
import { buildHttpApp } from "../../packages/server/src/edges/http/app.ts";
import { createLogger } from "../../packages/server/src/logging/logger.ts";
import { composeServices } from "../../packages/server/src/main/compose.ts";
import { freePort } from "../../packages/server/src/testing/free-port.ts";

const { values } = parseArgs({
  options: {
    records: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    dialect: { type: "string" },
  },
});
const records = Number(values.records);
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const FIRST_CALL = Date.UTC(2026, 9, 1);

const line = (name: string, value: string) => console.log(`${name.padEnd(44)} ${value}`);

const CHUNK = 100_000;

/**
 * Seeds the records set-based, CHUNK rows per INSERT ... SELECT (a recursive counter on SQLite,
 * generate_series on PostgreSQL): one call a second, three in four answered. Times are written in
 * the form the application writes them (ISO-8601 with milliseconds on SQLite, timestamptz on
 * PostgreSQL).
 */
async function seed(db: Kysely<Database>, dialect: DialectName, accountId: string) {
  const epoch = FIRST_CALL / 1000;
  for (let first = 0; first < records; first += CHUNK) {
    const last = Math.min(first + CHUNK, records) - 1;
    if (dialect === "sqlite") {
      const at = (offset: number) =>
        sql.raw(`strftime('%Y-%m-%dT%H:%M:%fZ', ${epoch} + i + ${offset}, 'unixepoch')`);
      await sql`with recursive n(i) as (select ${first} union all select i + 1 from n where i < ${last})
        insert into cdrs (id, call_id, account_id, direction, source, destination, started_at, answered_at, ended_at,
          duration_seconds, billed_seconds, cost, currency, sip_status, hangup_by, node_id)
        select printf('bench-%012d', i), printf('%d@bench', i), ${accountId}, 'outbound', '+15555550100',
          '+44207946' || printf('%04d', i % 10000), ${at(0)},
          case when i % 4 = 0 then null else ${at(4)} end, ${at(94)},
          case when i % 4 = 0 then 0 else 90 end, case when i % 4 = 0 then 0 else 90 end,
          case when i % 4 = 0 then 0 else 75000 end, 'USD',
          case when i % 4 = 0 then 486 else 200 end, 'caller', 'bench'
        from n`.execute(db);
    } else {
      await sql`insert into cdrs (id, call_id, account_id, direction, source, destination, started_at, answered_at, ended_at,
          duration_seconds, billed_seconds, cost, currency, sip_status, hangup_by, node_id)
        select 'bench-' || lpad(i::text, 12, '0'), i || '@bench', ${accountId}, 'outbound', '+15555550100',
          '+44207946' || lpad((i % 10000)::text, 4, '0'), to_timestamp(${epoch} + i),
          case when i % 4 = 0 then null else to_timestamp(${epoch} + i + 4) end, to_timestamp(${epoch} + i + 94),
          case when i % 4 = 0 then 0 else 90 end, case when i % 4 = 0 then 0 else 90 end,
          case when i % 4 = 0 then 0 else 75000 end, 'USD',
          case when i % 4 = 0 then 486 else 200 end, 'caller', 'bench'
        from generate_series(${first}::bigint, ${last}::bigint) as i`.execute(db);
    }
  }
}

async function run(dialect: DialectName) {
  console.log(`\n== ${dialect}: GET /api/v1/cdrs, page of 50 out of ${records.toLocaleString("en-US")} ==`);
  const database = await createTestDatabase(dialect);
  const services = composeServices(database.db, { sipDomain: "bench.zaqros" });
  const account = await services.accounts.create({ name: "Bench", email: "bench@example.com" });
  const key = await services.apiKeys.create(account.id, { name: "bench", scope: "read" });

  const seedStart = performance.now();
  await seed(database.db, dialect, account.id);
  if (dialect === "postgres") await sql`analyze cdrs`.execute(database.db);
  else await sql`analyze`.execute(database.db);
  line(
    "seeded",
    `${records.toLocaleString("en-US")} CDRs in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
  );

  // A day in the middle of the records: the first page is the newest 50 calls of that day.
  const from = new Date(FIRST_CALL + Math.floor(records / 2) * 1000).toISOString();
  const to = new Date(Date.parse(from) + 86_400_000).toISOString();
  const listing = sql`select * from cdrs where account_id = ${account.id} and started_at >= ${from} and started_at < ${to} order by started_at desc, id desc limit 50`;
  const plan = await sql<
    Record<string, unknown>
  >`${sql.raw(dialect === "postgres" ? "explain" : "explain query plan")} ${listing}`.execute(database.db);
  for (const row of plan.rows) line("  plan", String(row["QUERY PLAN"] ?? row.detail));

  const app = buildHttpApp({
    logger: createLogger({ level: "warn", format: "json" }),
    metrics: new Registry(),
    databaseReady: async () => true,
    api: { services, rateLimit: { max: 1_000_000_000, timeWindowMs: 60_000 } },
  });
  const port = await freePort();
  await app.listen({ host: "127.0.0.1", port });
  const path = `/api/v1/cdrs?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=50`;
  const check = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { authorization: `Bearer ${key.secret}` },
  });
  const body = (await check.json()) as { items: unknown[] };
  if (check.status !== 200 || body.items.length !== 50) throw new Error(`unexpected answer ${check.status}`);

  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    headers: { authorization: `Bearer ${key.secret}` },
    connections,
    duration: seconds,
  });
  line("requests per second (mean)", result.requests.average.toLocaleString("en-US"));
  line(
    "latency p50 / p99 / max (ms)",
    `${result.latency.p50} / ${result.latency.p99} / ${result.latency.max}`,
  );
  line("non-2xx answers / errors / timeouts", `${result.non2xx} / ${result.errors} / ${result.timeouts}`);
  line("connections / duration", `${connections} / ${seconds} s`);
  await app.close();
  await database.close();
}

for (const dialect of (values.dialect ? [values.dialect] : ["sqlite", "postgres"]) as DialectName[]) {
  await run(dialect);
}
