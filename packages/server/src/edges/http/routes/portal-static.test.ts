import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { createLogger } from "../../../logging/logger.ts";
import { buildHttpApp } from "../app.ts";

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-1a2b3c.js"></script></head></html>';

function appServing(root: string): FastifyInstance {
  return buildHttpApp({
    logger: createLogger({ level: "silent", format: "json" }),
    metrics: new Registry(),
    databaseReady: async () => true,
    portalRoot: root,
    sipSettings: { domain: "sip.example.org", host: "203.0.113.5", port: 5060, tlsPort: 5061 },
  });
}

describe("portal served at /", () => {
  let root: string;
  let app: FastifyInstance;

  before(() => {
    root = mkdtempSync(join(tmpdir(), "zq-portal-"));
    mkdirSync(join(root, "assets"));
    writeFileSync(join(root, "index.html"), INDEX);
    writeFileSync(join(root, "assets", "app-1a2b3c.js"), "console.log('portal');");
    writeFileSync(join(root, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    app = appServing(root);
  });
  after(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  test("when / or any page path is asked for, then the portal's index.html answers and is revalidated each time", async () => {
    for (const url of ["/", "/calls", "/security?tab=2", "/verify-email?token=abc", "/no/such/page"]) {
      const response = await app.inject({ method: "GET", url });
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.body, INDEX, url);
      assert.match(String(response.headers["content-type"]), /^text\/html/);
      assert.equal(response.headers["cache-control"], "no-cache", url);
    }
  });

  test("when a built asset is asked for, then it is served to be cached for good; other files are revalidated", async () => {
    const asset = await app.inject({ method: "GET", url: "/assets/app-1a2b3c.js" });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.body, "console.log('portal');");
    assert.match(String(asset.headers["content-type"]), /javascript/);
    assert.equal(asset.headers["cache-control"], "public, max-age=31536000, immutable");
    const icon = await app.inject({ method: "GET", url: "/favicon.svg" });
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers["cache-control"], "no-cache");
  });

  test("when an asset or an API path does not exist, then 404 problem+json, never the page", async () => {
    for (const url of ["/assets/app-old.js", "/api/v1/nothing-here", "/api", "/api/v2/cdrs"]) {
      const response = await app.inject({ method: "GET", url });
      assert.equal(response.statusCode, 404, url);
      assert.match(String(response.headers["content-type"]), /^application\/problem\+json/, url);
    }
  });

  test("when a path tries to climb out of the build, then no file outside it is served", async () => {
    writeFileSync(join(root, "..", "zq-portal-secret.txt"), "the-content-outside-the-build");
    try {
      for (const url of [
        "/../zq-portal-secret.txt",
        "/%2e%2e/zq-portal-secret.txt",
        "/assets/..%2f..%2fzq-portal-secret.txt",
        "/..%5czq-portal-secret.txt",
        "/%00index.html",
      ]) {
        const response = await app.inject({ method: "GET", url });
        assert.ok(
          !response.body.includes("the-content-outside-the-build"),
          `${url} -> ${response.statusCode} ${response.body}`,
        );
        assert.ok(response.statusCode < 500, `${url} -> ${response.statusCode}`);
      }
    } finally {
      rmSync(join(root, "..", "zq-portal-secret.txt"), { force: true });
    }
  });

  test("when phones need the server address, then /api/v1/sip-settings names the domain, host and ports", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/sip-settings" });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      domain: "sip.example.org",
      host: "203.0.113.5",
      transports: [
        { transport: "udp", port: 5060 },
        { transport: "tcp", port: 5060 },
        { transport: "tls", port: 5061 },
      ],
    });
  });
});

describe("portal not built", () => {
  test("when dist/ is missing, then / says how to build it with 503 and the API still answers", async () => {
    const app = appServing(join(tmpdir(), "zq-portal-does-not-exist"));
    try {
      const page = await app.inject({ method: "GET", url: "/" });
      assert.equal(page.statusCode, 503);
      assert.match(page.body, /npm run build/);
      const health = await app.inject({ method: "GET", url: "/healthz" });
      assert.equal(health.statusCode, 200);
    } finally {
      await app.close();
    }
  });
});
