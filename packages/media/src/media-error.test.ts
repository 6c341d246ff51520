import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { MEDIA_ERRORS } from "./media-error.ts";

test("when any file of the package names a MEDIA.* code, then the code is documented in the catalogue", () => {
  const directory = new URL(".", import.meta.url);
  const named = new Set<string>();
  for (const file of readdirSync(directory, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".ts")) continue;
    for (const match of readFileSync(new URL(file, directory), "utf8").matchAll(/"(MEDIA\.[A-Z_]+)"/g)) {
      named.add(match[1]!);
    }
  }
  assert.ok(named.size >= Object.keys(MEDIA_ERRORS).length);
  for (const code of named) assert.ok(code in MEDIA_ERRORS, `${code} is missing from MEDIA_ERRORS`);
});
