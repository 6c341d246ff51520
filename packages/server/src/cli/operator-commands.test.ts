import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const BIN = new URL("../../bin/zaqros.mjs", import.meta.url).pathname;

function zaqros(dataDir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", ZAQROS_DATA_DIR: dataDir, ZAQROS_SIP_DOMAIN: "sip.example.net" },
    encoding: "utf8",
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, json: () => JSON.parse(run.stdout) };
}

test("when an operator provisions a customer, a device, a carrier with its deck and a number, then each command answers in JSON", () => {
  const dir = mkdtempSync(join(tmpdir(), "zq-ops-"));
  const account = zaqros(
    dir,
    "account",
    "create",
    "--name",
    "Ada",
    "--email",
    "ada@example.org",
    "--country",
    "GB",
    "--json",
  );
  assert.equal(account.code, 0, account.stderr);
  const { id } = account.json();
  assert.match(id, /^[0-9a-f-]{36}$/);

  const device = zaqros(dir, "device", "create", id, "--json").json();
  assert.match(device.username, /^zq\d{8}$/);
  assert.equal(device.password.length, 20);
  assert.equal(device.domain, "sip.example.net");

  const carrier = zaqros(
    dir,
    "carrier",
    "add",
    "--name",
    "Upstream",
    "--host",
    "198.51.100.7",
    "--port",
    "5080",
    "--transport",
    "tcp",
    "--priority",
    "5",
    "--from-ip",
    "198.51.100.7",
    "--from-ip",
    "198.51.100.8",
    "--json",
  );
  assert.equal(carrier.code, 0, carrier.stderr);
  const deck = join(dir, "deck.csv");
  writeFileSync(
    deck,
    "prefix,cost_per_minute,connect_cost,initial_increment,subsequent_increment,description\n44,0.0100,0,1,1,UK\n4420,0.0080,0,60,60,London\n",
  );
  const imported = zaqros(dir, "carrier", "routes", "import", carrier.json().id, deck, "--json");
  assert.deepEqual(imported.json(), { imported: 2 });

  const did = zaqros(dir, "did", "add", "+442079460000", "--account", id, "--json");
  assert.deepEqual(did.json(), { e164: "+442079460000", accountId: id });
});

test("when a command is refused, then it exits 1 naming the problem and the code", () => {
  const dir = mkdtempSync(join(tmpdir(), "zq-ops-"));
  const bad = join(dir, "bad.csv");
  writeFileSync(bad, "prefix,cost_per_minute\n44,abc\n");
  const carrier = zaqros(dir, "carrier", "add", "--name", "C", "--host", "198.51.100.9", "--json").json();
  const run = zaqros(dir, "carrier", "routes", "import", carrier.id, bad);
  assert.equal(run.code, 1);
  assert.match(
    run.stderr,
    /Line 2: cost_per_minute must be a non-negative decimal.*\(ROUTING\.INVALID_DECK\)/,
  );
  const unknown = zaqros(dir, "device", "create", "00000000-0000-0000-0000-000000000000", "--json");
  assert.equal(unknown.code, 1);
  assert.deepEqual(unknown.json().error.code, "ACCOUNT.NOT_FOUND");
  const usage = zaqros(dir, "carrier", "add", "--name", "NoHost");
  assert.equal(usage.code, 2, "a missing required option is a usage error");
});
