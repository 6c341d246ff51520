import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { loadConfig } from "../config/config.ts";
import { createLogger } from "../logging/logger.ts";
import { freePort } from "../testing/free-port.ts";
import { composePlatform } from "./compose.ts";

async function platformOn(extraEnv: Record<string, string> = {}) {
  const config = loadConfig({
    env: {
      ZAQROS_DATA_DIR: mkdtempSync(join(tmpdir(), "zq-compose-")),
      ZAQROS_HTTP_PORT: String(await freePort()),
      ZAQROS_SIP_PORT: String(await freePort()),
      ZAQROS_SIP_TLS_PORT: String(await freePort()),
      ...extraEnv,
    },
  });
  const logger = createLogger({ level: "warn", format: "json", destination: new PassThrough() });
  return composePlatform(config, { logger });
}

test("when shutdown starts while a request is in flight, then that request completes and new ones are refused", async () => {
  const platform = await platformOn();
  let release = () => {};
  platform.http.get("/slow", async () => {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    return { finished: true };
  });
  const { portalUrl } = await platform.start();
  const inFlight = fetch(new URL("/slow", portalUrl));
  await new Promise((r) => setTimeout(r, 100));
  const stopped = platform.stop();
  // stop() closes the HTTP listener after the jobs and the SIP edge: wait (bounded) until it has,
  // while the slow request is still held open.
  await assert.rejects(refusedWithin(portalUrl, 5_000), "no new connections once stopping");
  release();
  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { finished: true });
  await stopped;
});

test("when work in flight outlasts the shutdown timeout, then shutdown finishes anyway", async () => {
  const platform = await platformOn({ ZAQROS_SHUTDOWN_TIMEOUT_MS: "300" });
  platform.http.get("/stuck", () => new Promise(() => {}));
  const { portalUrl } = await platform.start();
  const stuck = fetch(new URL("/stuck", portalUrl)).catch((error: Error) => error);
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await platform.stop();
  assert.ok(Date.now() - started < 3000, "stop returned soon after the timeout");
  assert.ok((await stuck) instanceof Error, "the stuck request was cut");
});

/** Resolves if the server still answers new connections after `ms`; rejects once it refuses them. */
async function refusedWithin(portalUrl: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await fetch(new URL("/healthz", portalUrl), { signal: AbortSignal.timeout(1_000) });
    await new Promise((r) => setTimeout(r, 20));
  }
}
