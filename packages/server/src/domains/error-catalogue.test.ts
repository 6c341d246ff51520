import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ERROR_CATALOGUE } from "./error-catalogue.ts";

const DOMAINS = new URL(".", import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

test("when a domain raises an error code, then the catalogue documents it", () => {
  const raised = new Set<string>();
  for (const file of sourceFiles(DOMAINS)) {
    for (const match of readFileSync(file, "utf8").matchAll(/DomainError\(\s*"([A-Z_]+\.[A-Z_]+)"/g)) {
      raised.add(match[1] as string);
    }
    for (const match of readFileSync(file, "utf8").matchAll(/\bfail\(\s*"([A-Z_]+\.[A-Z_]+)"/g)) {
      raised.add(match[1] as string);
    }
  }
  assert.ok(raised.size > 10, "the scan finds the codes domains raise");
  const undocumented = [...raised].filter((code) => !(code in ERROR_CATALOGUE));
  assert.deepEqual(undocumented, []);
  for (const [code, doc] of Object.entries(ERROR_CATALOGUE)) {
    assert.match(code, /^[A-Z]+\.[A-Z_]+$/);
    assert.ok(doc.length > 15, `${code} is documented`);
  }
});
