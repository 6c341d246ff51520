import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";

const ROOT = new URL("..", import.meta.url).pathname;
const DEPCRUISE = join(ROOT, "node_modules/.bin/depcruise");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

/** Lays out a small tree of files in a scratch folder and runs the project's layering rules over it. */
function cruise(files: Record<string, string>): { exitCode: number | null; rules: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "zq-layering-"));
  const tree = {
    "tsconfig.json": JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true } }),
    ...files,
  };
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const run = spawnSync(DEPCRUISE, ["packages", "--config", CONFIG], { cwd: dir, encoding: "utf8" });
  const rules = [...run.stdout.matchAll(/^\s*error ([a-z0-9-]+):/gm)].map((m) => m[1] as string);
  return { exitCode: run.status, rules: [...new Set(rules)].sort() };
}

const S = "packages/server/src";

describe("layering rules", () => {
  test("when the layers only look down, then the check passes", () => {
    const result = cruise({
      [`${S}/domains/accounts/accounts.repository.ts`]: "export const r = 1;",
      [`${S}/domains/accounts/accounts.service.ts`]:
        'import { r } from "./accounts.repository.ts";\nexport const s = r;',
      [`${S}/domains/ledger/ledger.service.ts`]:
        'import { s } from "../accounts/accounts.service.ts";\nexport const l = s;',
      [`${S}/edges/http/app.ts`]:
        'import { s } from "../../domains/accounts/accounts.service.ts";\nexport const a = s;',
      "packages/sip/src/grammar/uri.ts": "export const u = 1;",
      "packages/sip/src/message/parser.ts": 'import { u } from "../grammar/uri.ts";\nexport const p = u;',
    });
    assert.deepEqual(result, { exitCode: 0, rules: [] });
  });

  const violations: Array<[string, Record<string, string>, string]> = [
    [
      "a domain imports an edge",
      {
        [`${S}/edges/http/app.ts`]: "export const a = 1;",
        [`${S}/domains/accounts/accounts.service.ts`]:
          'import { a } from "../../edges/http/app.ts";\nexport const s = a;',
      },
      "domain-imports-edge",
    ],
    [
      "a domain imports Fastify",
      {
        [`${S}/domains/accounts/accounts.service.ts`]:
          'import Fastify from "fastify";\nexport const s = Fastify;',
      },
      "domain-imports-transport-library",
    ],
    [
      "a domain imports another domain's repository",
      {
        [`${S}/domains/accounts/accounts.repository.ts`]: "export const r = 1;",
        [`${S}/domains/ledger/ledger.service.ts`]:
          'import { r } from "../accounts/accounts.repository.ts";\nexport const l = r;',
      },
      "domain-imports-other-repository",
    ],
    [
      "the SIP edge imports the HTTP edge",
      {
        [`${S}/edges/http/app.ts`]: "export const a = 1;",
        [`${S}/edges/sip/registrar.ts`]: 'import { a } from "../http/app.ts";\nexport const r = a;',
      },
      "sip-edge-imports-http-edge",
    ],
    [
      "an edge reaches into the database",
      {
        [`${S}/db/connection.ts`]: "export const c = 1;",
        [`${S}/edges/http/app.ts`]: 'import { c } from "../../db/connection.ts";\nexport const a = c;',
      },
      "edge-imports-repository-or-db",
    ],
    [
      "the SIP library imports the platform",
      {
        [`${S}/domains/accounts/accounts.service.ts`]: "export const s = 1;",
        "packages/sip/src/message/parser.ts":
          'import { s } from "../../../server/src/domains/accounts/accounts.service.ts";\nexport const p = s;',
      },
      "protocol-package-imports-platform",
    ],
    [
      "the SIP grammar layer imports the transaction layer",
      {
        "packages/sip/src/transaction/manager.ts": "export const m = 1;",
        "packages/sip/src/grammar/uri.ts":
          'import { m } from "../transaction/manager.ts";\nexport const u = m;',
      },
      "sip-grammar-imports-lower-layer",
    ],
    [
      "two modules import each other",
      {
        [`${S}/jobs/a.ts`]: 'import { b } from "./b.ts";\nexport const a = () => b;',
        [`${S}/jobs/b.ts`]: 'import { a } from "./a.ts";\nexport const b = () => a;',
      },
      "no-circular",
    ],
  ];

  for (const [situation, files, rule] of violations) {
    test(`when ${situation}, then the check fails with ${rule}`, () => {
      const result = cruise(files);
      assert.notEqual(result.exitCode, 0);
      assert.ok(result.rules.includes(rule), `expected ${rule}, got ${result.rules.join(", ")}`);
    });
  }
});
