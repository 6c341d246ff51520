/**
 * Retail rating: calls rated per second in memory against a 50,000-prefix deck on one core, and
 * the time to import a 100,000-row deck on SQLite and on PostgreSQL.
 *
 *   npx tsx bench/rating/index.ts [--seconds 2] [--rows 100000] [--no-db]
 *
 * Rating figures are per CPU-second of this process, best of 20 short rounds (the machine may be
 * shared: CPU time and the best round are the least disturbed measures). "rate" is the
 * longest-prefix lookup of the row in effect at the call's start; "rate + cost" also prices a
 * call of a random duration. Import times are wall-clock for `RatingService.importDeck` (parse,
 * validate, upsert in one transaction, bump the plan revision), then the first lookup (loading
 * and building the rate table) and an export.
 */
import { parseArgs } from "node:util";
import { createTestDatabase } from "../../packages/server/src/db/testing/dialects.ts";
import { RateTable } from "../../packages/server/src/domains/rating/rate-table.ts";
import type { RetailRate } from "../../packages/server/src/domains/rating/rating.types.ts";
import { chargeFor } from "../../packages/server/src/domains/rating/retail-cost.ts";
import { composeServices } from "../../packages/server/src/main/compose.ts";
import { seededRandom, syntheticDeckCsv, syntheticNumbers, syntheticPrefixes } from "./synthetic-deck.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "2" },
    rows: { type: "string", default: "100000" },
    "no-db": { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = 20;

function perCpuSecond(work: (n: number) => number): number {
  let best = 0;
  const budget = (seconds * 1e6) / rounds;
  let batch = 10_000;
  for (let round = 0; round < rounds; round++) {
    let n = 0;
    const start = process.cpuUsage();
    let used = 0;
    while (used < budget) {
      work(batch);
      n += batch;
      const now = process.cpuUsage(start);
      used = now.user + now.system;
    }
    best = Math.max(best, n / (used / 1e6));
    batch = Math.max(10_000, Math.floor(best / 100));
  }
  return best;
}

const line = (name: string, value: string) => console.log(`${name.padEnd(44)} ${value}`);

console.log(`Rating benchmark: Node ${process.version}, one core`);

const prefixes = syntheticPrefixes(50_000);
const random = seededRandom(7);
const rates: RetailRate[] = prefixes.map((prefix, i) => ({
  prefix,
  effectiveFrom: "1970-01-01T00:00:00.000Z",
  pricePerMinute: 1_000 + Math.floor(random() * 500_000),
  connectFee: i % 7 === 0 ? 10_000 : 0,
  initialIncrement: [60, 30, 1][i % 3] as number,
  subsequentIncrement: [60, 6, 1][i % 3] as number,
  minimumCharge: 0,
}));
const builtAt = process.hrtime.bigint();
const table = new RateTable(rates);
line(
  "build a 50,000-prefix rate table",
  `${(Number(process.hrtime.bigint() - builtAt) / 1e6).toFixed(1)} ms`,
);

const numbers = syntheticNumbers(prefixes, 1 << 16);
const durations = Array.from({ length: 1 << 16 }, () => Math.floor(random() * 600));
const at = Date.parse("2026-12-01T12:00:00Z");
let cursor = 0;
let sink = 0;

const lookups = perCpuSecond((n) => {
  for (let i = 0; i < n; i++) {
    if (table.lookup(numbers[cursor++ & 0xffff] as string, at)) sink++;
  }
  return n;
});
line("rate (longest prefix in effect)", `${Math.round(lookups).toLocaleString("en-US")} calls/s`);

const priced = perCpuSecond((n) => {
  for (let i = 0; i < n; i++) {
    const k = cursor++ & 0xffff;
    const rate = table.lookup(numbers[k] as string, at);
    if (rate) sink += chargeFor(rate, durations[k] as number).cost;
  }
  return n;
});
line("rate + cost", `${Math.round(priced).toLocaleString("en-US")} calls/s`);
if (sink === 0) console.log("(no number matched)");

if (!values["no-db"]) {
  const rows = Number(values.rows);
  const csv = syntheticDeckCsv(rows);
  for (const dialect of ["sqlite", "postgres"] as const) {
    const database = await createTestDatabase(dialect);
    try {
      const services = composeServices(database.db, { sipDomain: "bench.invalid" });
      const started = performance.now();
      const { imported } = await services.rating.importDeck("Bench", csv);
      const importMs = performance.now() - started;
      const plan = await services.rating.plan("Bench");
      const loadedAt = performance.now();
      await services.rating.rateTable(plan);
      const loadMs = performance.now() - loadedAt;
      const exportedAt = performance.now();
      await services.rating.exportDeck("Bench");
      const exportMs = performance.now() - exportedAt;
      const againAt = performance.now();
      await services.rating.importDeck("Bench", csv);
      const againMs = performance.now() - againAt;
      line(
        `import ${imported.toLocaleString("en-US")} rows [${dialect}]`,
        `${(importMs / 1000).toFixed(2)} s`,
      );
      line(`re-import the same rows (all upserts) [${dialect}]`, `${(againMs / 1000).toFixed(2)} s`);
      line(`load and build the rate table [${dialect}]`, `${(loadMs / 1000).toFixed(2)} s`);
      line(`export [${dialect}]`, `${(exportMs / 1000).toFixed(2)} s`);
    } finally {
      await database.close();
    }
  }
}
