// Loaded into `zaqros start` with `node --import` by bench/b2bua (--census): counts and times every
// SQL statement the server prepares and runs through better-sqlite3, and writes the tally as JSON to
// $ZAQROS_BENCH_QUERY_CENSUS when the process exits. Plain JavaScript because it loads before tsx.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const output = process.env.ZAQROS_BENCH_QUERY_CENSUS;
const require = createRequire(new URL("../../packages/server/package.json", import.meta.url));
const Database = require("better-sqlite3");

/** sql text -> { prepared, prepareNs, executed, executeNs } */
const tally = new Map();
const entry = (sql) => {
  let found = tally.get(sql);
  if (!found) {
    found = { prepared: 0, prepareNs: 0n, executed: 0, executeNs: 0n };
    tally.set(sql, found);
  }
  return found;
};

const prepare = Database.prototype.prepare;
Database.prototype.prepare = function timedPrepare(sql) {
  const started = process.hrtime.bigint();
  const statement = prepare.call(this, sql);
  const counted = entry(sql);
  counted.prepared++;
  counted.prepareNs += process.hrtime.bigint() - started;
  return statement;
};

// Statements share one native prototype; take it from a throwaway in-memory database.
const probe = new Database(":memory:");
const statementPrototype = Object.getPrototypeOf(probe.prepare("select 1"));
probe.close();
for (const method of ["run", "all", "get", "iterate"]) {
  const original = statementPrototype[method];
  statementPrototype[method] = function timedExecute(...args) {
    const started = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      const counted = entry(this.source);
      counted.executed++;
      counted.executeNs += process.hrtime.bigint() - started;
    }
  };
}

if (output) {
  process.once("exit", () => {
    const rows = [...tally].map(([sql, t]) => ({
      sql,
      prepared: t.prepared,
      prepareMs: Number(t.prepareNs) / 1e6,
      executed: t.executed,
      executeMs: Number(t.executeNs) / 1e6,
    }));
    writeFileSync(output, JSON.stringify(rows));
  });
}
