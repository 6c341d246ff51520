import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, test } from "node:test";
import { collectDefaultMetrics, Registry } from "prom-client";
import { createLogger } from "../../logging/logger.ts";
import { buildHttpApp } from "./app.ts";

function logCapture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (chunk) => chunks.push(String(chunk)));
  return { stream, text: () => chunks.join("") };
}

function appWith(options: { databaseReady?: () => Promise<boolean> } = {}) {
  const log = logCapture();
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const app = buildHttpApp({
    logger: createLogger({ level: "trace", format: "json", destination: log.stream }),
    metrics,
    databaseReady: options.databaseReady ?? (async () => true),
  });
  return { app, log };
}

describe("HTTP edge", () => {
  test("when the database answers, then /healthz is 200", async () => {
    const { app } = appWith();
    const response = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: "ok", checks: { database: "ok" } });
    await app.close();
  });

  test("when the database does not answer, then /healthz is 503", async () => {
    const { app } = appWith({ databaseReady: async () => false });
    const response = await app.inject({ method: "GET", url: "/healthz" });
    assert.equal(response.statusCode, 503);
    assert.equal(response.json().checks.database, "failing");
    await app.close();
  });

  test("when /metrics is scraped, then it is Prometheus text with process metrics and request counts", async () => {
    const { app } = appWith();
    await app.inject({ method: "GET", url: "/healthz" });
    const response = await app.inject({ method: "GET", url: "/metrics" });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    assert.match(response.body, /^# TYPE process_cpu_user_seconds_total counter$/m);
    assert.match(
      response.body,
      /^zaqros_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1$/m,
    );
    await app.close();
  });

  test("when an API route does not exist, or a non-GET goes nowhere, then the answer is a 404 problem+json", async () => {
    // Other GET paths belong to the portal, a single-page app (routes/portal-static.ts).
    const { app } = appWith();
    for (const [method, url] of [
      ["GET", "/api/v1/nope"],
      ["POST", "/nope"],
      ["DELETE", "/api/v1/nope"],
    ] as const) {
      const response = await app.inject({ method, url });
      assert.equal(response.statusCode, 404, `${method} ${url}`);
      assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
      assert.equal(response.json().title, "Not found");
    }
    await app.close();
  });

  test("when a body is malformed or too large, then a 4xx problem comes back and the server keeps serving", async () => {
    const { app } = appWith();
    app.post("/echo", async (request) => ({ got: request.body }));
    const malformed = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: '{"a":',
    });
    assert.equal(malformed.statusCode, 400);
    assert.match(String(malformed.headers["content-type"]), /problem\+json/);
    const huge = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ a: "x".repeat(300 * 1024) }),
    });
    assert.equal(huge.statusCode, 413);
    assert.equal((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    await app.close();
  });

  test("when a handler fails unexpectedly, then the client sees a 500 without the internal message", async () => {
    const { app, log } = appWith();
    app.get("/boom", async () => {
      throw new Error('relation "secret_table" does not exist');
    });
    const response = await app.inject({ method: "GET", url: "/boom" });
    assert.equal(response.statusCode, 500);
    assert.ok(!response.body.includes("secret_table"));
    assert.match(log.text(), /secret_table/, "the details stay in the log for the operator");
    await app.close();
  });

  test("when a request carries a password and credentials, then none of them appears in the log", async () => {
    const { app, log } = appWith();
    app.post("/signup", async (request) => {
      request.log.info({ body: request.body, headers: request.headers }, "sign-up received");
      request.log.info(
        `raw auth line: Authorization: Digest username="ada", response="d41d8cd98f00b204e9800998ecf8427e"`,
      );
      return { ok: true };
    });
    const password = "correct horse battery staple 42";
    const response = await app.inject({
      method: "POST",
      url: "/signup",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer zq_live_abcdef0123456789",
        cookie: "__Host-zq_session=s3ss10n1d",
      },
      payload: {
        email: "ada@example.org",
        password,
        nested: { sipPassword: "sip-pw-9876", ha1: "abcd1234ha1" },
      },
    });
    assert.equal(response.statusCode, 200);
    const text = log.text();
    assert.match(text, /sign-up received/, "the line was written");
    assert.match(text, /ada@example\.org/, "non-secret fields are kept");
    for (const secret of [
      password,
      "zq_live_abcdef0123456789",
      "s3ss10n1d",
      "sip-pw-9876",
      "abcd1234ha1",
      "d41d8cd98f00b204e9800998ecf8427e",
    ]) {
      assert.ok(!text.includes(secret), `the log must not contain ${secret}`);
    }
    await app.close();
  });

  test("when a request is logged, then the line shows its method and path with secrets in the query masked", async () => {
    const { app, log } = appWith();
    app.get("/lookup", async () => ({ ok: true }));
    await app.inject({ method: "GET", url: "/lookup?number=%2B4420&api_key=zq_live_QQQQ1111&token=tok-999" });
    const lines = log
      .text()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const incoming = lines.find((line) => line.req?.url?.startsWith("/lookup"));
    assert.equal(incoming?.req.method, "GET");
    assert.match(incoming?.req.url, /^\/lookup\?number=%2B4420&api_key=\[redacted\]&token=\[redacted\]$/);
    assert.ok(!log.text().includes("QQQQ1111") && !log.text().includes("tok-999"));
    await app.close();
  });
});
