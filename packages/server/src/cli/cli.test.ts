import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import SQLite from "better-sqlite3";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../db/testing/dialects.ts";
import { freePort } from "../testing/free-port.ts";

const BIN = new URL("../../bin/zaqros.mjs", import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function zaqros(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      ZAQROS_LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<Run>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

async function waitForHealth(url: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return 200;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return 0;
}

async function baseEnv() {
  return {
    ZAQROS_DATA_DIR: mkdtempSync(join(tmpdir(), "zq-cli-")),
    ZAQROS_HTTP_PORT: String(await freePort()),
    // Its own free port: the default (HTTP + 1) may belong to a test running beside this one.
    ZAQROS_HTTPS_PORT: String(await freePort()),
    ZAQROS_SIP_PORT: String(await freePort()),
    ZAQROS_SIP_TLS_PORT: String(await freePort()),
  };
}

describe("zaqros CLI", () => {
  test("when the HTTP port is not a port, then start exits 2 naming ZAQROS_HTTP_PORT", async () => {
    const run = await zaqros(["start"], { ...(await baseEnv()), ZAQROS_HTTP_PORT: "notaport" }).done;
    assert.equal(run.code, 2);
    assert.match(run.stderr, /ZAQROS_HTTP_PORT must be a number/);
  });

  test("when started on SQLite and sent SIGTERM, then /healthz was 200, the exit is 0 and the database opens cleanly", async () => {
    const env = await baseEnv();
    const { child, done } = zaqros(["start"], env);
    const health = await waitForHealth(`http://127.0.0.1:${env.ZAQROS_HTTP_PORT}/healthz`, 60_000);
    assert.equal(health, 200);
    child.kill("SIGTERM");
    const run = await done;
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(`Open the portal at http://127\\.0\\.0\\.1:${env.ZAQROS_HTTP_PORT}/`),
    );
    const db = new SQLite(join(env.ZAQROS_DATA_DIR, "zaqros.db"), { readonly: true });
    assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    const migrations = db.prepare("select count(*) as n from kysely_migration").get() as { n: number };
    assert.ok(migrations.n > 0);
    db.close();
  });

  describe("on PostgreSQL", () => {
    let database: TestDatabase | undefined;
    after(() => database?.close());

    test("when started with DATABASE_URL, then /healthz is 200 and SIGINT exits 0 with the schema in place", async () => {
      database = await createTestDatabase("postgres", { migrate: false });
      const env = { ...(await baseEnv()), DATABASE_URL: database.url ?? "" };
      const { child, done } = zaqros(["start"], env);
      assert.equal(await waitForHealth(`http://127.0.0.1:${env.ZAQROS_HTTP_PORT}/healthz`, 60_000), 200);
      child.kill("SIGINT");
      assert.equal((await done).code, 0);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query("select count(*)::int as n from accounts");
      assert.equal(rows[0].n, 0);
      await client.end();
    });
  });

  test("when config is asked for as JSON, then it prints every key with the database password masked", async () => {
    const env = { ...(await baseEnv()), DATABASE_URL: "postgres://zq:topsecret@127.0.0.1:1/none" };
    const run = await zaqros(["config", "--json"], env).done;
    assert.equal(run.code, 0);
    const printed = JSON.parse(run.stdout);
    assert.equal(printed.ZAQROS_HTTP_PORT, env.ZAQROS_HTTP_PORT);
    assert.equal(printed.DATABASE_URL, "postgres://zq:***@127.0.0.1:1/none");
    assert.ok(!run.stdout.includes("topsecret"));
  });

  test("when migrate runs twice, then the second run has nothing to apply", async () => {
    const env = await baseEnv();
    const first = JSON.parse((await zaqros(["migrate", "--json"], env).done).stdout);
    const second = JSON.parse((await zaqros(["migrate", "--json"], env).done).stdout);
    assert.ok(first.applied.length > 0);
    assert.deepEqual(second.applied, []);
  });

  test("when doctor finds the database unreachable and a port taken, then it says so in words and exits 1", async () => {
    const env = await baseEnv();
    const blocker = (await import("node:net"))
      .createServer()
      .listen(Number(env.ZAQROS_HTTP_PORT), "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const run = await zaqros(["doctor", "--json"], {
      ...env,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`,
    }).done;
    blocker.close();
    assert.equal(run.code, 1);
    const { checks } = JSON.parse(run.stdout) as {
      checks: Array<{ check: string; status: string; message: string }>;
    };
    const byName = Object.fromEntries(checks.map((c) => [c.check, c]));
    assert.equal(byName.database?.status, "fail");
    assert.match(byName.database?.message ?? "", /does not answer/);
    assert.equal(byName["HTTP port"]?.status, "fail");
    assert.match(byName["HTTP port"]?.message ?? "", /already in use.*ZAQROS_HTTP_PORT/);
    assert.equal(byName["data dir"]?.status, "ok");
  });

  test("when doctor runs on a healthy machine, then every check passes or only warns", async () => {
    const run = await zaqros(["doctor"], await baseEnv()).done;
    assert.equal(run.code, 0, run.stdout);
    assert.doesNotMatch(run.stdout, /FAIL/);
    assert.match(run.stdout, /\[ok {2}\] data dir/);
  });
});
