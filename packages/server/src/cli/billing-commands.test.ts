import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import SQLite from "better-sqlite3";
import { loadConfig } from "../config/config.ts";
import { openServices } from "../main/compose.ts";
import { type CliRun, runZaqros } from "../testing/zaqros-cli.ts";

const HEADER = "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment";

const zaqros = (dataDir: string, ...args: string[]) => runZaqros(dataDir, args);

async function json(run: Promise<CliRun>): Promise<Record<string, unknown>> {
  const done = await run;
  assert.equal(done.code, 0, done.stderr);
  return JSON.parse(done.stdout);
}

/** A 90-second answered call to +44, made through the services as the SIP edge would. */
async function placeCall(dataDir: string, accountId: string): Promise<void> {
  const { services, close } = await openServices(loadConfig({ env: { ZAQROS_DATA_DIR: dataDir } }));
  try {
    const end = Date.now();
    const rate = await services.rating.rateCall({
      accountId,
      direction: "outbound",
      destination: "+442079460958",
      at: new Date(),
    });
    await services.creditControl.authorise({
      callId: "cli-call@test",
      accountId,
      nodeId: "node-1",
      direction: "outbound",
      source: "+15555550100",
      destination: "+442079460958",
      rate,
    });
    await services.creditControl.finish("cli-call@test", {
      answeredAt: new Date(end - 90_000),
      endedAt: new Date(end),
      sipStatus: 200,
      hangupBy: "callee",
    });
  } finally {
    await close();
  }
}

describe("zaqros billing commands", () => {
  test("when an operator runs the billing commands in turn, then plans, balances, records and rerating behave as documented", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "zq-billing-cli-"));
    const deck = join(dataDir, "deck.csv");
    const { id } = await json(
      zaqros(dataDir, "account", "create", "--name", "Ada", "--email", "ada@example.org", "--json"),
    );
    const accountId = String(id);

    writeFileSync(deck, `${HEADER}\n44,0.10,0,60,60\n1,0.01,0,6,6\n`);
    assert.deepEqual(
      { ...(await json(zaqros(dataDir, "rates", "import", "Retail", deck, "--json"))), planId: "" },
      { planId: "", created: true, imported: 2 },
    );

    writeFileSync(deck, `${HEADER}\n44,0.10,0,60,60\n4x,1,0,1,1\n`);
    const bad = await zaqros(dataDir, "rates", "import", "Retail", deck);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Line 3: prefix must be 1 to 15 digits, not "4x" \(RATING\.INVALID_DECK\)/);

    const exported = join(dataDir, "exported.csv");
    assert.equal((await zaqros(dataDir, "rates", "export", "Retail", exported)).code, 0);
    assert.equal(
      readFileSync(exported, "utf8"),
      "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment,effective_from,minimum_charge\n" +
        "1,0.010000,0.000000,6,6,,0.000000\n44,0.100000,0.000000,60,60,,0.000000\n",
      "the bad file changed nothing",
    );

    assert.equal(
      (await json(zaqros(dataDir, "account", "plan", accountId, "Retail", "--json"))).plan,
      "Retail",
    );
    await json(
      zaqros(
        dataDir,
        "account",
        "credit",
        accountId,
        "10.50",
        "--reason",
        "Welcome",
        "--kind",
        "topup",
        "--json",
      ),
    );
    const debit = await json(
      zaqros(dataDir, "account", "credit", accountId, "-0.50", "--reason", "Correction", "--json"),
    );
    assert.deepEqual([debit.amount, debit.balance], ["-0.500000", "10.000000"]);

    await placeCall(dataDir, accountId);
    const cdrs = await zaqros(
      dataDir,
      "cdr",
      "export",
      "--from",
      "2000-01-01",
      "--to",
      "2100-01-01",
      "--account",
      accountId,
    );
    assert.equal(cdrs.code, 0, cdrs.stderr);
    const lines = cdrs.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 2);
    assert.match(
      lines[1] ?? "",
      /,outbound,\+15555550100,\+442079460958,.*,90,120,0\.200000,USD,,200,callee$/,
    );

    writeFileSync(deck, `${HEADER}\n44,0.05,0,1,1\n`);
    await json(zaqros(dataDir, "rates", "import", "Retail", deck, "--json"));
    const rerate = await json(
      zaqros(
        dataDir,
        "rerate",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--run-id",
        "deck-fix",
        "--json",
      ),
    );
    // 90 s at 0.05 a minute by the second is 0.075; the call was charged 0.20.
    assert.deepEqual([rerate.checked, rerate.changed, rerate.difference], [1, 1, "-0.125000"]);
    const balance = await json(zaqros(dataDir, "account", "balance", accountId, "--json"));
    assert.deepEqual(balance, { balance: "9.925000", available: "9.925000", currency: "USD" });

    const verify = await json(zaqros(dataDir, "ledger", "verify", "--json"));
    assert.deepEqual([verify.ok, verify.entriesChecked], [true, 4]);

    const db = new SQLite(join(dataDir, "zaqros.db"));
    db.prepare("update balances set balance = balance + 1").run();
    db.close();
    const tampered = await zaqros(dataDir, "ledger", "verify");
    assert.equal(tampered.code, 1);
    assert.match(
      tampered.stdout,
      new RegExp(`account ${accountId}: balance 9\\.925001, ledger says 9\\.925000`),
    );
    assert.match(tampered.stderr, /balances disagree with the ledger/);

    const badRange = await zaqros(dataDir, "cdr", "export", "--from", "2026-13-01", "--to", "2027-01-01");
    assert.equal(badRange.code, 2);
    assert.match(badRange.stderr, /--from must be a date/);
  });
});
