import { readFileSync } from "node:fs";

/** The preload that counts and times SQL statements inside `zaqros start` (see query-census.mjs). */
export const QUERY_CENSUS_PRELOAD = new URL("./query-census.mjs", import.meta.url).href;
export const QUERY_CENSUS_ENV = "ZAQROS_BENCH_QUERY_CENSUS";

export interface StatementTally {
  sql: string;
  prepared: number;
  prepareMs: number;
  executed: number;
  executeMs: number;
}

export function readCensus(file: string): StatementTally[] {
  return JSON.parse(readFileSync(file, "utf8")) as StatementTally[];
}

/** Prints statements per unit of work (a call, a registration) and where their time goes. */
export function printCensus(
  title: string,
  tally: readonly StatementTally[],
  units: number,
  unit: string,
): void {
  const executed = tally.reduce((sum, t) => sum + t.executed, 0);
  const prepared = tally.reduce((sum, t) => sum + t.prepared, 0);
  const ms = tally.reduce((sum, t) => sum + t.prepareMs + t.executeMs, 0);
  const prepareMs = tally.reduce((sum, t) => sum + t.prepareMs, 0);
  console.log(
    `\nQUERIES ${title}: ${units} ${unit}s; per ${unit} ${(executed / units).toFixed(1)} statements run, ` +
      `${(prepared / units).toFixed(1)} prepared, ${((ms * 1000) / units).toFixed(0)} µs in better-sqlite3 ` +
      `(${((prepareMs * 1000) / units).toFixed(0)} µs of it preparing)`,
  );
  console.log(`  per ${unit}   µs per ${unit}   statement`);
  for (const t of [...tally]
    .sort((a, b) => b.prepareMs + b.executeMs - (a.prepareMs + a.executeMs))
    .slice(0, 15)) {
    const sql = t.sql.replace(/\s+/g, " ");
    console.log(
      `  ${(t.executed / units).toFixed(2).padStart(8)} ${(((t.prepareMs + t.executeMs) * 1000) / units).toFixed(1).padStart(12)}   ${sql.length > 140 ? `${sql.slice(0, 137)}...` : sql}`,
    );
  }
}
