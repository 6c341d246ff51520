import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const REPO_ROOT = new URL("../../../../../", import.meta.url).pathname;
const MAPPING = join(REPO_ROOT, "docs/privacy-mapping.md");
const POLICY = join(REPO_ROOT, "packages/server/src/domains/legal/documents/privacy-policy.txt");
const STATUSES = ["kept", "partly kept", "not kept", "organisational"] as const;

interface MappedPromise {
  heading: string;
  status: string | undefined;
  capability: string | undefined;
  tests: Array<{ file: string; name: string }>;
}

/** Reads the mapping: each `###` heading is a promise with its Status, Capability and test lines. */
function readMapping(): { sections: string[]; promises: MappedPromise[] } {
  const sections: string[] = [];
  const promises: MappedPromise[] = [];
  for (const line of readFileSync(MAPPING, "utf8").split("\n")) {
    const section = /^## §(\d+) /.exec(line);
    if (section?.[1]) sections.push(section[1]);
    if (line.startsWith("### ")) {
      promises.push({ heading: line.slice(4), status: undefined, capability: undefined, tests: [] });
      continue;
    }
    const current = promises.at(-1);
    if (!current) continue;
    if (line.startsWith("Status: ")) current.status = line.slice("Status: ".length).trim();
    if (line.startsWith("Capability: ")) current.capability = line.slice("Capability: ".length).trim();
    const named = /^- `([^`]+)` › (.+)$/.exec(line);
    if (named?.[1] && named[2]) current.tests.push({ file: named[1], name: named[2].trim() });
  }
  return { sections, promises };
}

/** Whether the file calls test(...) (or it(...)) with exactly this name as its first argument. */
function declaresTest(source: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const quoted = ['"', "'", "`"].map(
    (q) => `${q}${escaped.replace(new RegExp(q === "`" ? "`" : q, "g"), `\\${q}`)}${q}`,
  );
  return quoted.some((literal) => new RegExp(`\\b(test|it)\\(\\s*${literal}`).test(source));
}

test("when the privacy mapping is read, then it covers every section of the policy and every promise has a status and a capability", () => {
  const policySections = [...readFileSync(POLICY, "utf8").matchAll(/^(\d+)\. \S/gm)].map((m) => m[1]);
  const { sections, promises } = readMapping();
  assert.deepEqual(sections, policySections, "one ## section per section of the privacy policy, in order");
  assert.ok(promises.length >= 30, `promises listed: ${promises.length}`);
  for (const promise of promises) {
    assert.ok(
      STATUSES.includes(promise.status as (typeof STATUSES)[number]),
      `"${promise.heading}" has a status (${STATUSES.join(", ")}), not ${promise.status}`,
    );
    assert.ok(
      promise.capability && promise.capability.length > 20,
      `"${promise.heading}" says what keeps it`,
    );
    if (promise.status === "kept" || promise.status === "partly kept") {
      assert.ok(promise.tests.length > 0, `"${promise.heading}" is ${promise.status}, so names a test`);
    }
    if (promise.status === "partly kept" || promise.status === "not kept") {
      assert.match(
        promise.capability ?? "",
        /Missing|none yet|not built/i,
        `"${promise.heading}" says what is missing`,
      );
    }
  }
});

test("when the privacy mapping names a test, then that test exists in that file", () => {
  const { promises } = readMapping();
  const missing: string[] = [];
  let named = 0;
  for (const promise of promises) {
    for (const { file, name } of promise.tests) {
      named++;
      const path = join(REPO_ROOT, file);
      if (!existsSync(path)) {
        missing.push(`${file} does not exist (for "${promise.heading}")`);
        continue;
      }
      if (!declaresTest(readFileSync(path, "utf8"), name)) missing.push(`${file} has no test "${name}"`);
    }
  }
  assert.ok(named >= 50, `tests named: ${named}`);
  assert.deepEqual(missing, []);
});

test("when a test name is checked, then only a test with exactly that name counts", () => {
  const source =
    'test("when a thing happens, then it shows", async () => {});\ntest(\n  "when it is long, then it wraps",\n  () => {},\n);';
  assert.equal(declaresTest(source, "when a thing happens, then it shows"), true);
  assert.equal(declaresTest(source, "when it is long, then it wraps"), true);
  assert.equal(declaresTest(source, "when a thing happens"), false);
  assert.equal(declaresTest(source, "when nothing happens, then it shows"), false);
});
