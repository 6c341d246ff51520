import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../config/config.ts";
import { openServices } from "../main/compose.ts";
import { runZaqros } from "../testing/zaqros-cli.ts";

const dataDir = mkdtempSync(join(tmpdir(), "zq-privacy-cli-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const zaqros = (...args: string[]) => runZaqros(dataDir, args);

test("when staff work a request from the shell, then `zaqros privacy` lists it with its due date, extends it with a mail and shows its history", async () => {
  const { services, close } = await openServices(loadConfig({ env: { ZAQROS_DATA_DIR: dataDir } }));
  let requestId: string;
  try {
    await services.identity.signUp({
      name: "Grace Hopper",
      email: "grace@example.com",
      password: "a ship in port is safe",
      confirmsAge16OrOver: true,
      acceptedTermsVersion: services.identity.legalVersions.terms,
      acceptedPrivacyVersion: services.identity.legalVersions.privacy,
    });
    const account = (await services.notify.listOutbox(10)).find((m) => m.to === "grace@example.com");
    assert.ok(account, "signed up");
    const recorded = await services.privacy.recordRequestFromCustomer(
      { accountEmail: "grace@example.com", kind: "rectification", details: "My phone number is wrong." },
      "alan",
    );
    requestId = recorded.id;
  } finally {
    await close();
  }

  const listed = await zaqros("privacy", "requests", "--kind", "rectification", "--json");
  assert.equal(listed.code, 0, listed.stderr);
  const { requests } = JSON.parse(listed.stdout) as {
    requests: Array<{ id: string; dueAt: string; overdue: boolean }>;
  };
  assert.equal(requests.length, 1);
  assert.equal(requests[0]?.id, requestId);
  assert.equal(requests[0]?.overdue, false);

  const extended = await zaqros(
    "privacy",
    "extend",
    requestId,
    "--staff",
    "grace",
    "--reason",
    "We need the carrier's records.",
  );
  assert.equal(extended.code, 0, extended.stderr);
  assert.match(extended.stdout, /rectification +received .* due \d{4}-\d{2}-\d{2} \(extended\)/);

  const shown = await zaqros("privacy", "show", requestId);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /staff:alan {2}recorded/);
  assert.match(shown.stdout, /staff:grace {2}extended: Due .*carrier's records/);

  const wrong = await zaqros("privacy", "requests", "--kind", "everything");
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /--kind must be one of access, erasure/);
  const ran = await zaqros("privacy", "run", "--json");
  assert.equal(ran.code, 0, ran.stderr);
  assert.deepEqual(JSON.parse(ran.stdout), { erased: 0, exportsBuilt: 0, archivesDropped: 0 });

  const reopened = await openServices(loadConfig({ env: { ZAQROS_DATA_DIR: dataDir } }));
  try {
    const mail = await reopened.services.notify.listOutbox(20);
    assert.ok(
      mail.some(
        (m) => m.to === "grace@example.com" && m.subject === "Your privacy request: we need more time",
      ),
    );
  } finally {
    await reopened.close();
  }
});
