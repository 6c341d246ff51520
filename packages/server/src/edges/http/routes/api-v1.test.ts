import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import type { Cdr } from "../../../domains/cdr/cdr.types.ts";
import { createLogger } from "../../../logging/logger.ts";
import { forEachDialectWithServices } from "../../../testing/test-services.ts";
import { buildHttpApp } from "../app.ts";

const DECK =
  "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment,effective_from\n44,0.05,0,60,60,\n";

function cdrOf(accountId: string, startedAt: string, overrides: Partial<Cdr> = {}): Cdr {
  const start = Date.parse(startedAt);
  return {
    id: randomUUID(),
    callId: `${randomUUID()}@test`,
    accountId,
    deviceId: null,
    direction: "outbound",
    source: "+15555550100",
    destination: "+442079460958",
    startedAt,
    answeredAt: new Date(start + 5_000).toISOString(),
    endedAt: new Date(start + 65_000).toISOString(),
    durationSeconds: 60,
    billedSeconds: 60,
    cost: 50_000,
    currency: "USD",
    carrierId: null,
    sipStatus: 200,
    hangupBy: "caller",
    nodeId: "node-1",
    planId: null,
    ratePrefix: null,
    ...overrides,
  };
}

forEachDialectWithServices("REST API /api/v1", (ctx) => {
  let app: FastifyInstance;
  const logLines: string[] = [];
  let alice: { accountId: string; write: string; read: string };
  let bob: { accountId: string; write: string };
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  before(async () => {
    const { services, clock } = ctx();
    const logs = new PassThrough();
    logs.on("data", (chunk) => logLines.push(String(chunk)));
    app = buildHttpApp({
      logger: createLogger({ level: "info", format: "json", destination: logs }),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: { services, now: clock.now, rateLimit: { max: 1000, timeWindowMs: 60_000 } },
    });
    await app.ready();
    const a = await services.accounts.create({
      name: "<script>alert(1)</script>",
      email: "alice-api@example.com",
    });
    const b = await services.accounts.create({ name: "Bob", email: "bob-api@example.com" });
    alice = {
      accountId: a.id,
      write: (await services.apiKeys.create(a.id, { name: "rw", scope: "read-write" })).secret,
      read: (await services.apiKeys.create(a.id, { name: "ro", scope: "read" })).secret,
    };
    bob = {
      accountId: b.id,
      write: (await services.apiKeys.create(b.id, { name: "rw", scope: "read-write" })).secret,
    };
    await services.ledger.credit(a.id, "12.5", { reason: "top-up", actor: "test", kind: "topup" });
    await services.rating.importDeck("Retail", DECK);
    await services.rating.assignPlan(a.id, "Retail");
    await services.numbers.assign("+15555550100", a.id);
    const records = Array.from({ length: 30 }, (_, i) =>
      cdrOf(
        a.id,
        new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
        i % 3 === 0
          ? {
              answeredAt: null,
              durationSeconds: 0,
              billedSeconds: 0,
              cost: 0,
              sipStatus: 486,
              destination: "+33142685300",
            }
          : {},
      ),
    );
    await services.cdrs.recordMany([
      ...records,
      cdrOf(b.id, "2026-11-01T00:10:30.000Z", { source: "+15555550199" }),
    ]);
  });
  after(async () => {
    await app?.close();
  });

  test("when no key is sent, then 401 problem+json with WWW-Authenticate: Bearer", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/account" });
    assert.equal(response.statusCode, 401);
    assert.match(String(response.headers["www-authenticate"]), /^Bearer realm="zaqros"$/);
    assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
    assert.equal(response.json().status, 401);
  });

  test("when a wrong or malformed key is sent, then 401 with error=invalid_token", async () => {
    for (const header of [`Bearer zq_live_${"x".repeat(32)}`, "Bearer ' OR 1=1 --", "Basic dXNlcjpwYXNz"]) {
      const response = await app.inject({
        method: "GET",
        url: "/api/v1/account",
        headers: { authorization: header },
      });
      assert.equal(response.statusCode, 401, header);
      assert.match(String(response.headers["www-authenticate"]), /error="invalid_token"/);
    }
  });

  test("when a key is put in the URL, then 400 and the key is in no log line", async () => {
    for (const name of ["api_key", "key", "token"]) {
      const response = await app.inject({ method: "GET", url: `/api/v1/account?${name}=${alice.write}` });
      assert.equal(response.statusCode, 400, name);
      assert.match(response.json().title, /not accepted in URLs/);
    }
    const logged = logLines.join("");
    assert.ok(logged.includes("incoming request"), "the requests were logged");
    assert.ok(!logged.includes(alice.write.slice(8)), "the secret never reached the log");
  });

  test("when the account is read, then names with <script> come back as JSON text unchanged", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/account", headers: auth(alice.read) });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^application\/json/);
    assert.equal(response.json().name, "<script>alert(1)</script>");
    assert.equal(response.json().id, alice.accountId);
  });

  test("when the balance and ledger are read, then they are the account's own", async () => {
    const balance = await app.inject({ method: "GET", url: "/api/v1/balance", headers: auth(alice.read) });
    assert.deepEqual(balance.json(), { balance: 12_500_000, currency: "USD", formatted: "12.500000" });
    const ledger = await app.inject({
      method: "GET",
      url: "/api/v1/ledger?limit=1",
      headers: auth(alice.read),
    });
    assert.equal(ledger.statusCode, 200);
    assert.equal(ledger.json().items.length, 1);
    assert.equal(ledger.json().items[0].amount, 12_500_000);
    const next = await app.inject({
      method: "GET",
      url: `/api/v1/ledger?limit=1&cursor=${ledger.json().nextCursor}`,
      headers: auth(alice.read),
    });
    assert.deepEqual(next.json(), { items: [], nextCursor: null });
    const bobs = await app.inject({ method: "GET", url: "/api/v1/balance", headers: auth(bob.write) });
    assert.equal(bobs.json().balance, 0);
    const bad = await app.inject({
      method: "GET",
      url: "/api/v1/ledger?limit=abc",
      headers: auth(alice.read),
    });
    assert.equal(bad.statusCode, 400);
    const badCursor = await app.inject({
      method: "GET",
      url: "/api/v1/ledger?cursor=nonsense",
      headers: auth(alice.read),
    });
    assert.equal(badCursor.statusCode, 400);
  });

  test("when CDRs are paged by date, then pages follow each other and hold only the account's calls", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/cdrs?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&limit=7${cursor ? `&cursor=${cursor}` : ""}`;
      const response: { statusCode: number; json: () => unknown } = await app.inject({
        method: "GET",
        url,
        headers: auth(alice.read),
      });
      assert.equal(response.statusCode, 200);
      const body = response.json() as {
        items: Array<{ id: string; startedAt: string }>;
        nextCursor: string | null;
      };
      for (const item of body.items) seen.push(item.id);
      assert.ok(!JSON.stringify(body).includes("+15555550199"), "never another account's call");
      cursor = body.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 30);
    assert.equal(new Set(seen).size, 30);
  });

  test("when CDRs are filtered by number and status, then only matching calls come back", async () => {
    const missed = await app.inject({
      method: "GET",
      url: "/api/v1/cdrs?status=unanswered&limit=100&from=2026-11-01T00:00:00Z",
      headers: auth(alice.read),
    });
    assert.equal(missed.json().items.length, 10);
    assert.ok(missed.json().items.every((c: { answeredAt: string | null }) => c.answeredAt === null));
    const byNumber = await app.inject({
      method: "GET",
      url: "/api/v1/cdrs?number=%2B33142685300&from=2026-11-01T00:00:00Z",
      headers: auth(alice.read),
    });
    assert.equal(byNumber.json().items.length, 10);
  });

  test("when filters carry injection attempts, then they match nothing or are refused, never data or 500", async () => {
    for (const query of [
      "number=' OR 1=1 --",
      "number=%27%3B%20DROP%20TABLE%20cdrs%3B--",
      "status=answered' OR '1'='1",
      "from=2026-11-01' OR 1=1 --",
      "cursor=' OR 1=1 --",
      "limit=1 OR 1=1",
    ]) {
      const response = await app.inject({
        method: "GET",
        url: `/api/v1/cdrs?${encodeURI(query).replaceAll("%25", "%")}`,
        headers: auth(alice.read),
      });
      assert.ok([200, 400, 422].includes(response.statusCode), `${query}: ${response.statusCode}`);
      if (response.statusCode === 200) assert.deepEqual(response.json().items, [], query);
    }
    const still = await app.inject({
      method: "GET",
      url: "/api/v1/cdrs?from=2026-11-01T00:00:00Z&limit=100",
      headers: auth(alice.read),
    });
    assert.equal(still.json().items.length, 30, "the table is intact");
  });

  test("when CDRs are asked for as CSV, then every matching call is one line", async () => {
    for (const request of [
      {
        url: "/api/v1/cdrs?from=2026-11-01T00:00:00Z&status=answered",
        headers: { ...auth(alice.read), accept: "text/csv" },
      },
      { url: "/api/v1/cdrs.csv?from=2026-11-01T00:00:00Z&status=answered", headers: auth(alice.read) },
    ]) {
      const response = await app.inject({ method: "GET", ...request });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers["content-type"]), /^text\/csv/);
      const lines = response.body.trim().split("\n");
      assert.equal(lines[0]?.split(",")[0], "id");
      assert.equal(lines.length, 1 + 20);
    }
    const bad = await app.inject({
      method: "GET",
      url: "/api/v1/cdrs.csv?from=2026-11-03T00:00:00Z&to=2026-11-02T00:00:00Z",
      headers: auth(alice.read),
    });
    assert.equal(bad.statusCode, 422);
    assert.match(String(bad.headers["content-type"]), /^application\/problem\+json/);
  });

  test("when a device is added, then its password is shown once and the list never has it", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/devices",
      headers: auth(alice.write),
      payload: { label: "<b>desk</b>" },
    });
    assert.equal(created.statusCode, 201);
    assert.match(created.json().password, /^[A-Za-z0-9]{20}$/);
    assert.equal(created.json().label, "<b>desk</b>");
    const list = await app.inject({ method: "GET", url: "/api/v1/devices", headers: auth(alice.read) });
    assert.equal(list.json().items.length, 1);
    assert.ok(!("password" in list.json().items[0]));
    const one = await app.inject({
      method: "GET",
      url: `/api/v1/devices/${created.json().id}`,
      headers: auth(alice.read),
    });
    assert.equal(one.json().username, created.json().username);
    const foreign = await app.inject({
      method: "GET",
      url: `/api/v1/devices/${created.json().id}`,
      headers: auth(bob.write),
    });
    assert.equal(foreign.statusCode, 404);
    assert.ok(!foreign.body.includes(created.json().username), "never another customer's data");
  });

  test("when a device is removed, then it leaves the list, and another customer's delete is a 404", async () => {
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/devices",
      headers: auth(alice.write),
      payload: { label: "to remove" },
    });
    const url = `/api/v1/devices/${created.json().id}`;
    const foreign = await app.inject({ method: "DELETE", url, headers: auth(bob.write) });
    assert.equal(foreign.statusCode, 404);
    assert.equal((await app.inject({ method: "GET", url, headers: auth(alice.read) })).statusCode, 200);
    const readOnly = await app.inject({ method: "DELETE", url, headers: auth(alice.read) });
    assert.equal(readOnly.statusCode, 403);
    const removed = await app.inject({ method: "DELETE", url, headers: auth(alice.write) });
    assert.equal(removed.statusCode, 204);
    assert.equal((await app.inject({ method: "GET", url, headers: auth(alice.read) })).statusCode, 404);
  });

  test("when a body is wrong, then 400 or 413 problem+json and nothing is made", async () => {
    const cases = [
      { payload: { label: { nested: true } }, status: 400 },
      { payload: { label: "" }, status: 400 },
      { payload: { label: "x", admin: true }, status: 400 },
      { payload: "not json", status: 400, headers: { "content-type": "application/json" } },
      { payload: { label: "x".repeat(10_000) }, status: 413 },
    ];
    const before = (
      await app.inject({ method: "GET", url: "/api/v1/devices", headers: auth(bob.write) })
    ).json().items.length;
    for (const item of cases) {
      const response = await app.inject({
        method: "POST",
        url: "/api/v1/devices",
        headers: { ...auth(bob.write), ...item.headers },
        payload: item.payload,
      });
      assert.equal(response.statusCode, item.status, JSON.stringify(item.payload).slice(0, 40));
      assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
    }
    const after = (
      await app.inject({ method: "GET", url: "/api/v1/devices", headers: auth(bob.write) })
    ).json().items.length;
    assert.equal(after, before);
  });

  test("when a read key changes something, then 403 insufficient scope", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/v1/devices",
      headers: auth(alice.read),
      payload: {},
    });
    assert.equal(response.statusCode, 403);
    assert.match(String(response.headers["www-authenticate"]), /insufficient_scope/);
  });

  test("when numbers and rates are read, then they are the account's own and its plan's price", async () => {
    const numbers = await app.inject({ method: "GET", url: "/api/v1/numbers", headers: auth(alice.read) });
    assert.deepEqual(
      numbers.json().items.map((n: { e164: string }) => n.e164),
      ["+15555550100"],
    );
    const bobs = await app.inject({ method: "GET", url: "/api/v1/numbers", headers: auth(bob.write) });
    assert.deepEqual(bobs.json().items, []);
    const rate = await app.inject({
      method: "GET",
      url: "/api/v1/rates?number=%2B442079460000",
      headers: auth(alice.read),
    });
    assert.equal(rate.statusCode, 200);
    assert.equal(rate.json().prefix, "44");
    assert.equal(rate.json().pricePerMinute, 50_000);
    const none = await app.inject({
      method: "GET",
      url: "/api/v1/rates?number=%2B12025550100",
      headers: auth(alice.read),
    });
    assert.equal(none.statusCode, 404);
    const noPlan = await app.inject({
      method: "GET",
      url: "/api/v1/rates?number=%2B442079460000",
      headers: auth(bob.write),
    });
    assert.equal(noPlan.statusCode, 409);
    for (const url of ["/api/v1/rates", "/api/v1/rates?number=' OR 1=1 --", "/api/v1/rates?number=12345"]) {
      const bad = await app.inject({ method: "GET", url, headers: auth(alice.read) });
      assert.equal(bad.statusCode, 400, url);
    }
  });

  test("when keys are made, listed and revoked, then a revoked key gets 401 and another's key is 404", async () => {
    const made = await app.inject({
      method: "POST",
      url: "/api/v1/api-keys",
      headers: auth(alice.write),
      payload: { name: "temp", scope: "read" },
    });
    assert.equal(made.statusCode, 201);
    const key = made.json().key as string;
    assert.match(key, /^zq_live_/);
    const list = await app.inject({ method: "GET", url: "/api/v1/api-keys", headers: auth(key) });
    assert.ok(!list.body.includes(key), "the list never shows a key");
    const foreign = await app.inject({
      method: "DELETE",
      url: `/api/v1/api-keys/${made.json().id}`,
      headers: auth(bob.write),
    });
    assert.equal(foreign.statusCode, 404);
    const revoked = await app.inject({
      method: "DELETE",
      url: `/api/v1/api-keys/${made.json().id}`,
      headers: auth(alice.write),
    });
    assert.equal(revoked.statusCode, 204);
    const refused = await app.inject({ method: "GET", url: "/api/v1/account", headers: auth(key) });
    assert.equal(refused.statusCode, 401);
    const missing = await app.inject({
      method: "POST",
      url: "/api/v1/api-keys",
      headers: auth(alice.write),
      payload: { name: "x" },
    });
    assert.equal(missing.statusCode, 400);
  });

  test("when the OpenAPI document is read, then it is 3.1 and lists every /api/v1 route", async () => {
    const response = await app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    assert.equal(response.statusCode, 200);
    const document = response.json();
    assert.equal(document.openapi, "3.1.0");
    const listed = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const route of [
      "GET /api/v1/account",
      "GET /api/v1/balance",
      "GET /api/v1/ledger",
      "GET /api/v1/cdrs",
      "GET /api/v1/cdrs.csv",
      "GET /api/v1/devices",
      "GET /api/v1/devices/{id}",
      "POST /api/v1/devices",
      "DELETE /api/v1/devices/{id}",
      "GET /api/v1/numbers",
      "GET /api/v1/rates",
      "GET /api/v1/api-keys",
      "POST /api/v1/api-keys",
      "DELETE /api/v1/api-keys/{id}",
      "GET /api/v1/topups",
      "GET /api/v1/topups/settings",
      "GET /api/v1/topups/{id}",
      "POST /api/v1/topups",
    ]) {
      assert.ok(listed.includes(route), `${route} is documented`);
    }
    const docs = await app.inject({ method: "GET", url: "/api/docs/" });
    assert.equal(docs.statusCode, 200);
    assert.ok(!/https?:\/\/(?!127)[^"']*\.js/.test(docs.body), "no script from a CDN");
  });
});

forEachDialectWithServices("REST API rate limit", (ctx) => {
  test("when a key makes more requests than its limit, then 429 with Retry-After, and other keys are not held up", async () => {
    const { services, clock } = ctx();
    const app = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json" }),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: { services, now: clock.now, rateLimit: { max: 3, timeWindowMs: 60_000 } },
    });
    try {
      const account = await services.accounts.create({ name: "Busy", email: "busy-api@example.com" });
      const busy = (await services.apiKeys.create(account.id, { name: "busy", scope: "read" })).secret;
      const calm = (await services.apiKeys.create(account.id, { name: "calm", scope: "read" })).secret;
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof app.inject>> | undefined;
      for (let i = 0; i < 4; i++) {
        last = await app.inject({
          method: "GET",
          url: "/api/v1/balance",
          headers: { authorization: `Bearer ${busy}` },
        });
        statuses.push(last.statusCode);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.ok(Number(last?.headers["retry-after"]) > 0);
      assert.match(String(last?.headers["content-type"]), /^application\/problem\+json/);
      assert.equal(last?.json().code, "APIKEY.RATE_LIMITED");
      const other = await app.inject({
        method: "GET",
        url: "/api/v1/balance",
        headers: { authorization: `Bearer ${calm}` },
      });
      assert.equal(other.statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

forEachDialectWithServices("REST API authentication ways", (ctx) => {
  test("when a portal session is plugged in, then it authenticates without a key, and a bad key is still refused", async () => {
    const { services, clock } = ctx();
    const account = await services.accounts.create({ name: "Sessioned", email: "session-api@example.com" });
    const app = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json" }),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: {
        services,
        now: clock.now,
        session: async (request) =>
          request.headers["x-test-session"] === "valid" ? { accountId: account.id } : undefined,
      },
    });
    try {
      const viaSession = await app.inject({
        method: "GET",
        url: "/api/v1/account",
        headers: { "x-test-session": "valid" },
      });
      assert.equal(viaSession.statusCode, 200);
      assert.equal(viaSession.json().id, account.id);
      const neither = await app.inject({
        method: "GET",
        url: "/api/v1/account",
        headers: { "x-test-session": "stale" },
      });
      assert.equal(neither.statusCode, 401);
      const badKey = await app.inject({
        method: "GET",
        url: "/api/v1/account",
        headers: { "x-test-session": "valid", authorization: `Bearer zq_live_${"0".repeat(32)}` },
      });
      assert.equal(
        badKey.statusCode,
        401,
        "a key that is sent must be valid; the session does not paper over it",
      );
      const upper = await app.inject({
        method: "GET",
        url: "/api/v1/account?API_KEY=zq_live_x",
        headers: { "x-test-session": "valid" },
      });
      assert.equal(upper.statusCode, 400);
    } finally {
      await app.close();
    }
  });

  test("when a key is asked for with a bad body, then 400 or 413 and no key is made", async () => {
    const { services, clock } = ctx();
    const account = await services.accounts.create({ name: "Keys", email: "keys-body-api@example.com" });
    const secret = (await services.apiKeys.create(account.id, { name: "rw", scope: "read-write" })).secret;
    const app = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json" }),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: { services, now: clock.now },
    });
    try {
      for (const [payload, status] of [
        [{ name: "x", scope: "admin" }, 400],
        [{ name: "x", scope: "read", owner: "someone-else" }, 400],
        [{ scope: "read" }, 400],
        [{ name: { first: "x" }, scope: "read" }, 400],
        [{ name: "x".repeat(8_000), scope: "read" }, 413],
      ] as const) {
        const response = await app.inject({
          method: "POST",
          url: "/api/v1/api-keys",
          headers: { authorization: `Bearer ${secret}` },
          payload,
        });
        assert.equal(response.statusCode, status, JSON.stringify(payload).slice(0, 50));
        assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
      }
      assert.equal((await services.apiKeys.list(account.id)).length, 1);
    } finally {
      await app.close();
    }
  });
});
