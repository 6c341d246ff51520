import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { chromium } from "playwright-core";
import { Registry } from "prom-client";
import { createLogger } from "../../logging/logger.ts";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { buildHttpApp } from "./app.ts";
import { API_DOCS_CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY } from "./security-headers.ts";
import { sessionAuthenticator } from "./session.ts";

const quietLogger = () => createLogger({ level: "silent", format: "json", destination: new PassThrough() });

function assertSecurityHeaders(headers: Record<string, unknown>, csp = CONTENT_SECURITY_POLICY) {
  assert.equal(headers["content-security-policy"], csp);
  assert.equal(headers["x-content-type-options"], "nosniff");
  assert.equal(headers["referrer-policy"], "no-referrer");
  assert.match(String(headers["permissions-policy"]), /camera=\(\), geolocation=\(\)/);
  assert.equal(headers["cross-origin-opener-policy"], "same-origin");
  assert.equal(headers["x-frame-options"], "DENY");
  assert.equal(headers["strict-transport-security"], undefined, "no HSTS over plain HTTP");
}

describe("security headers", () => {
  test("when the CSP is read, then it is the strict policy: self only, no inline code, no framing, no plugins", () => {
    assert.equal(
      CONTENT_SECURITY_POLICY,
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    );
    assert.doesNotMatch(
      API_DOCS_CONTENT_SECURITY_POLICY,
      /script-src[^;]*unsafe/,
      "docs run no inline script",
    );
  });
});

forEachDialectWithServices("security headers on every response", (context) => {
  let app: FastifyInstance;
  before(async () => {
    const { services } = context();
    app = buildHttpApp({
      logger: quietLogger(),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: { services, session: sessionAuthenticator(services.identity) },
      auth: { identity: services.identity, accounts: services.accounts },
    });
    await app.ready();
  });
  after(() => app.close());

  test("when pages, API answers, errors and 404s are served, then each carries the security headers", async () => {
    for (const [url, status] of [
      ["/healthz", 200],
      ["/api/v1/account", 401],
      ["/api/v1/auth/legal-versions", 200],
      ["/api/v1/nope", 404],
      ["/api/v1/openapi.json", 200],
    ] as const) {
      const response = await app.inject({ method: "GET", url });
      assert.equal(response.statusCode, status, url);
      assertSecurityHeaders(response.headers);
    }
    const bad = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    assert.equal(bad.statusCode, 400);
    assertSecurityHeaders(bad.headers);
  });

  test("when an API answer is sent, then browsers and proxies are told not to store it", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/auth/legal-versions" });
    assert.equal(response.headers["cache-control"], "no-store");
  });

  test("when the API docs are served, then only they get the policy that allows Swagger UI's inline styles", async () => {
    const page = await app.inject({ method: "GET", url: "/api/docs/" });
    assert.equal(page.statusCode, 200);
    assertSecurityHeaders(page.headers, API_DOCS_CONTENT_SECURITY_POLICY);
    const script = await app.inject({ method: "GET", url: "/api/docs/static/swagger-initializer.js" });
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers["content-security-policy"], API_DOCS_CONTENT_SECURITY_POLICY);
  });
});

forEachDialectWithServices(
  "API docs under the strict policy in Chromium",
  (context) => {
    let app: FastifyInstance;
    let base: string;
    before(async () => {
      const { services } = context();
      app = buildHttpApp({
        logger: quietLogger(),
        metrics: new Registry(),
        databaseReady: async () => true,
        api: { services },
      });
      base = await app.listen({ host: "127.0.0.1", port: 0 });
    });
    after(() => app.close());

    test("when /api/docs opens in Chromium, then Swagger UI renders the API with no CSP violation", async () => {
      const browser = await chromium.launch({
        executablePath: "/usr/bin/chromium",
        headless: true,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      try {
        const page = await browser.newPage();
        const violations: string[] = [];
        page.on("console", (message) => {
          if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
        });
        await page.goto(`${base}/api/docs`);
        await page.locator(".swagger-ui .info .title").filter({ hasText: "Zaqros API" }).waitFor();
        await page.locator(".opblock-tag", { hasText: "cdrs" }).first().waitFor();
        assert.deepEqual(violations, []);
      } finally {
        await browser.close();
      }
    });
  },
  {},
);
