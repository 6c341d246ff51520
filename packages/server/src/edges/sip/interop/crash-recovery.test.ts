import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { freePort } from "../../../testing/free-port.ts";
import { runSipp } from "../../../testing/sipp.ts";
import { CARRIER_A_IP, PHONE_IP, ZAQROS_IP } from "../../../testing/voice-fixture.ts";

const BIN = new URL("../../../../bin/zaqros.mjs", import.meta.url).pathname;
const running: ChildProcess[] = [];
after(() => {
  for (const child of running) child.kill("SIGKILL");
});

function cli(env: Record<string, string>, ...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, `zaqros ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

async function startZaqros(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, "start"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    // A cold start compiles the sources through tsx; on a busy CI machine that takes a while.
    const timer = setTimeout(() => reject(new Error(`zaqros did not start in 60 s: ${stderr}`)), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`zaqros exited with ${code} before it ran: ${stderr}`));
    });
    child.stdout?.on("data", (chunk) => {
      if (String(chunk).includes("Zaqros is running")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

test("when the node is killed with SIGKILL during a call, then on restart the call is closed, charged once and recorded", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "zq-crash-"));
  const carrierPort = await freePort();
  const sipPort = await freePort();
  const env = {
    ZAQROS_DATA_DIR: dataDir,
    ZAQROS_HTTP_PORT: String(await freePort()),
    // Its own free port: the default (HTTP + 1) may belong to a test running beside this one.
    ZAQROS_HTTPS_PORT: String(await freePort()),
    ZAQROS_SIP_PORT: String(sipPort),
    ZAQROS_SIP_TLS_PORT: String(await freePort()),
    ZAQROS_SIP_DIGEST_ALGORITHMS: "MD5,SHA-256",
    ZAQROS_RTP_PORTS: "34000-34099",
    ZAQROS_LOG_LEVEL: "warn",
    ZAQROS_LOG_FORMAT: "json",
  };
  const { id: accountId } = JSON.parse(
    cli(env, "account", "create", "--name", "Crash", "--email", "crash@example.com", "--json"),
  );
  const device = JSON.parse(cli(env, "device", "create", accountId, "--json"));
  const carrier = JSON.parse(
    cli(
      env,
      "carrier",
      "add",
      "--name",
      "A",
      "--host",
      CARRIER_A_IP,
      "--port",
      String(carrierPort),
      "--json",
    ),
  );
  const buyDeck = join(dataDir, "buy.csv");
  writeFileSync(buyDeck, "prefix,cost_per_minute\n44,0.01\n");
  cli(env, "carrier", "routes", "import", carrier.id, buyDeck);
  const sellDeck = join(dataDir, "sell.csv");
  writeFileSync(
    sellDeck,
    "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment\n44,0.60,0,1,1\n",
  );
  cli(env, "rates", "import", "uk", sellDeck);
  cli(env, "account", "plan", accountId, "uk");
  cli(env, "account", "credit", accountId, "5.00", "--reason", "test", "--kind", "topup");

  const first = await startZaqros(env);
  const carrierSide = runSipp({
    scenario: "carrier-answer.xml",
    localIp: CARRIER_A_IP,
    localPort: carrierPort,
    timeoutSeconds: 30,
  });
  const phone = runSipp({
    scenario: "call-device.xml",
    remote: `${ZAQROS_IP}:${sipPort}`,
    localIp: PHONE_IP,
    localPort: await freePort(),
    service: "00442079460958",
    auth: { username: device.username, password: device.password },
    pauseMs: 20_000,
    variables: { user: device.username },
    timeoutSeconds: 30,
  });
  await new Promise((resolve) => setTimeout(resolve, 12_000));
  first.kill("SIGKILL");
  await new Promise((resolve) => first.once("close", resolve));
  phone.kill();
  carrierSide.kill();

  const second = await startZaqros(env);
  second.kill("SIGTERM");
  await new Promise((resolve) => second.once("close", resolve));

  const csv = cli(env, "cdr", "export", "--from", "2000-01-01", "--to", "2100-01-01", "--account", accountId)
    .trim()
    .split("\n");
  assert.equal(csv.length, 2, `one CDR: ${csv.join("\n")}`);
  const header = (csv[0] ?? "").split(",");
  const row = Object.fromEntries((csv[1] ?? "").split(",").map((value, i) => [header[i], value]));
  assert.equal(row.hangup_by, "system-recovery");
  assert.ok(Number(row.billed_seconds) > 0, "talk time up to the last heartbeat is charged");
  const balance = JSON.parse(cli(env, "account", "balance", accountId, "--json"));
  const micros = (decimal: string) => Math.round(Number(decimal) * 1_000_000);
  assert.equal(micros(balance.balance), 5_000_000 - micros(row.cost ?? ""), "charged exactly once");
  assert.equal(balance.available, balance.balance, "nothing is held for calls in progress any more");
  const verify = JSON.parse(cli(env, "ledger", "verify", "--json"));
  assert.equal(verify.ok, true);
});
