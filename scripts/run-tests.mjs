#!/usr/bin/env node
// Runs every *.test.ts under packages/ (or the paths given) with node's test runner through tsx.
// Usage: node scripts/run-tests.mjs [path-or-substring ...]
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const skipDirs = new Set(["node_modules", "dist", "data", "test-output", ".git"]);

function findTests(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) findTests(join(dir, entry.name), out);
    } else if (/\.test\.tsx?$/.test(entry.name)) {
      out.push(relative(root, join(dir, entry.name)));
    }
  }
  return out;
}

const filters = process.argv.slice(2);
const all = [...findTests(join(root, "packages")), ...findTests(join(root, "scripts"))].sort();
const files = filters.length ? all.filter((f) => filters.some((p) => f.includes(p))) : all;
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}
const concurrency = process.env.ZAQROS_TEST_CONCURRENCY ?? "2";
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...files],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
