import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrator.ts";
import { PaymentsRepository } from "../domains/payments/payments.repository.ts";
import { composeServices } from "../main/compose.ts";
import { runZaqros } from "../testing/zaqros-cli.ts";

const zaqros = (args: string[], dataDir: string) => runZaqros(dataDir, args);

test("when a capture was flagged, then `zaqros payments list` shows it to staff, and a bad status is refused", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "zq-cli-"));
  const database = openDatabase({ dataDir });
  await migrateToLatest(database.db);
  const services = composeServices(database.db, { sipDomain: "sip.test.zaqros" });
  const account = await services.accounts.create({ name: "Flagged Payer", email: "flagged@example.com" });
  const at = new Date().toISOString();
  const flagged = {
    id: "11111111-2222-3333-4444-555555555555",
    accountId: account.id,
    orderId: "5O190127TN364715T",
    captureId: "3C679366HH908993F",
    amount: 40_000_000,
    currency: "USD",
    status: "flagged" as const,
    refundedAmount: 0,
    createdAt: at,
    updatedAt: at,
    completedAt: null,
  };
  await new PaymentsRepository(database.db).insert(flagged);
  await new PaymentsRepository(database.db).insert({
    ...flagged,
    id: "done",
    orderId: "O2",
    captureId: "C2",
    status: "completed",
  });
  await database.close();

  const text = await zaqros(["payments", "list"], dataDir);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /11111111-2222-3333-4444-555555555555\s+flagged\s+40\.00 USD {2}account \S+ {2}PayPal 3C679366HH908993F/,
  );
  assert.doesNotMatch(text.stdout, /completed/);
  const json = await zaqros(["payments", "list", "--status", "flagged", "--json"], dataDir);
  assert.deepEqual(
    (JSON.parse(json.stdout) as { topUps: Array<{ id: string }> }).topUps.map((t) => t.id),
    [flagged.id],
  );
  const wrong = await zaqros(["payments", "list", "--status", "stolen"], dataDir);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /--status must be one of created, pending, completed/);
});
