import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../config/config.ts";
import { openDatabase } from "../db/connection.ts";
import { openServices } from "../main/compose.ts";
import { runZaqros } from "../testing/zaqros-cli.ts";

const dataDir = mkdtempSync(join(tmpdir(), "zq-lifecycle-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const DAY_MS = 24 * 60 * 60 * 1000;

const zaqros = (...args: string[]) => runZaqros(dataDir, args);

async function connectionLogIds(): Promise<string[]> {
  const handle = openDatabase({ databaseUrl: undefined, dataDir });
  try {
    const rows = await handle.db.selectFrom("connection_log").select("id").orderBy("id").execute();
    return rows.map((r) => r.id);
  } finally {
    await handle.close();
  }
}

test("when `zaqros retention run --dry-run` is run, then it prints per table what it would do and changes nothing; without it the old rows go", async () => {
  const { services, close } = await openServices(loadConfig({ env: { ZAQROS_DATA_DIR: dataDir } }));
  let accountId: string;
  try {
    accountId = (await services.accounts.create({ name: "Ada", email: "ada@example.test" })).id;
  } finally {
    await close();
  }
  const handle = openDatabase({ databaseUrl: undefined, dataDir });
  try {
    const entry = (id: string, daysAgo: number) => ({
      id,
      account_id: accountId,
      event: "sign-in",
      ip_address: "198.51.100.7",
      user_agent: "Firefox",
      country: null,
      city: null,
      created_at: new Date(Date.now() - daysAgo * DAY_MS).toISOString(),
    });
    await handle.db
      .insertInto("connection_log")
      .values([entry("old", 91), entry("new", 10)])
      .execute();
  } finally {
    await handle.close();
  }

  const dry = await zaqros("retention", "run", "--dry-run");
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /nothing was changed/);
  assert.match(dry.stdout, /^connection_log\s+would delete 1 row\(s\): 90 days after created_at$/m);
  assert.match(
    dry.stdout,
    /^cdrs\s+would anonymise 0 row\(s\): the billing and audit window after started_at$/m,
  );
  assert.doesNotMatch(
    dry.stdout + dry.stderr,
    /198\.51\.100\.7|ada@example\.test/,
    "counts only, no personal data",
  );
  assert.deepEqual(await connectionLogIds(), ["new", "old"]);

  const run = await zaqros("retention", "run", "--json");
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as {
    dryRun: boolean;
    outcomes: Array<{ table: string; action: string; rows: number }>;
  };
  assert.equal(report.dryRun, false);
  assert.deepEqual(
    report.outcomes.filter((o) => o.rows > 0).map((o) => [o.table, o.action, o.rows]),
    [["connection_log", "delete", 1]],
  );
  assert.deepEqual(await connectionLogIds(), ["new"]);
});

test("when `zaqros legal publish` announces a material change, then customers are emailed and `legal show` lists it; a bad request is refused with a reason", async () => {
  const file = join(dataDir, "terms.txt");
  writeFileSync(file, "Terms of Service\n1. Agreement\nNew terms.\n");
  const effective = new Date(Date.now() + 60 * DAY_MS).toISOString().slice(0, 10);

  const tooSoon = await zaqros(
    "legal",
    "publish",
    "--document",
    "terms",
    "--version",
    "v2",
    "--file",
    file,
    "--material",
    "--summary",
    "New terms.",
    "--effective",
    new Date(Date.now() + 2 * DAY_MS).toISOString().slice(0, 10),
  );
  assert.equal(tooSoon.code, 1);
  assert.match(
    tooSoon.stderr,
    /no sooner than 30 days after it is published \(\d{4}-\d{2}-\d{2}\)\. \(LEGAL\.NOTICE_TOO_SHORT\)/,
  );
  const wrongDocument = await zaqros(
    "legal",
    "publish",
    "--document",
    "cookies",
    "--version",
    "v2",
    "--file",
    file,
  );
  assert.equal(wrongDocument.code, 1);
  assert.match(wrongDocument.stderr, /--document must be terms or privacy/);

  const published = await zaqros(
    "legal",
    "publish",
    "--document",
    "terms",
    "--version",
    "v2",
    "--file",
    file,
    "--material",
    "--summary",
    "Prices include tax.",
    "--effective",
    effective,
  );
  assert.equal(published.code, 0, published.stderr);
  assert.match(published.stdout, /Emailed 1 active customer\(s\)/);
  const mail = await zaqros("mail", "list", "--limit", "1");
  assert.match(
    mail.stdout,
    new RegExp(`Subject: Changes to our terms: our Terms of Service changes on ${effective}`),
  );
  const shown = await zaqros("legal", "show");
  assert.match(
    shown.stdout,
    new RegExp(
      `Announced: Terms of Service version v2 takes effect ${effective} \\(material; 1 customer\\(s\\) emailed\\)`,
    ),
  );
});

test("when `zaqros analytics usage` is asked for months the wrong way round, then it says so and exits 1", async () => {
  const result = await zaqros("analytics", "usage", "--from", "2026-11", "--to", "2026-01");
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Give months as YYYY-MM, the first not after the last/);
});
