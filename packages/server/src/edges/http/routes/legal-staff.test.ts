import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { createLogger } from "../../../logging/logger.ts";
import { forEachDialectWithServices } from "../../../testing/test-services.ts";
import { buildHttpApp } from "../app.ts";

const STAFF_KEY = "staff-key-for-tests-0123456789abcdef";
const DAY_MS = 24 * 60 * 60 * 1000;

forEachDialectWithServices("legal and analytics staff routes", (context) => {
  let app: FastifyInstance;
  before(() => {
    const { services } = context();
    app = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json" }),
      metrics: new Registry(),
      databaseReady: async () => true,
      legal: { legal: services.legal, staff: { staffApiKey: STAFF_KEY, analytics: services.analytics } },
    });
  });
  after(() => app.close());

  const staff = { authorization: `Bearer ${STAFF_KEY}`, "x-staff-member": "Grace" };

  test("when the staff key or the staff member's name is missing or wrong, then nothing is published and nothing shown", async () => {
    const payload = { document: "terms", version: "v9", body: "New terms.", material: false };
    for (const [headers, status] of [
      [{}, 401],
      [{ authorization: "Bearer not-the-key", "x-staff-member": "Grace" }, 401],
      [{ authorization: `Bearer ${STAFF_KEY}` }, 422],
    ] as const) {
      const post = await app.inject({
        method: "POST",
        url: "/api/v1/staff/legal/versions",
        headers,
        payload,
      });
      assert.equal(post.statusCode, status);
      assert.equal(post.headers["content-type"], "application/problem+json; charset=utf-8");
      const get = await app.inject({
        method: "GET",
        url: "/api/v1/staff/analytics/usage?from=2026-10&to=2026-11",
        headers,
      });
      assert.equal(get.statusCode, status);
    }
    const legal = await app.inject({ method: "GET", url: "/api/v1/legal" });
    assert.deepEqual(legal.json().upcoming, []);
  });

  test("when staff publish a material change, then customers are emailed and it is announced; a short notice or a bad body is refused", async () => {
    const { services, clock } = context();
    await services.accounts.create({ name: "Ada", email: "ada-staff@example.test" });
    const soon = new Date(clock.now().getTime() + 5 * DAY_MS).toISOString().slice(0, 10);
    const refused = await app.inject({
      method: "POST",
      url: "/api/v1/staff/legal/versions",
      headers: staff,
      payload: {
        document: "privacy",
        version: "soon",
        body: "x",
        material: true,
        summary: "s",
        effectiveDate: soon,
      },
    });
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().code, "LEGAL.NOTICE_TOO_SHORT");
    const unknown = await app.inject({
      method: "POST",
      url: "/api/v1/staff/legal/versions",
      headers: staff,
      payload: { document: "privacy", version: "v2", body: "x", material: false, sneaky: true },
    });
    assert.equal(unknown.statusCode, 400);

    const effective = new Date(clock.now().getTime() + 40 * DAY_MS).toISOString().slice(0, 10);
    const published = await app.inject({
      method: "POST",
      url: "/api/v1/staff/legal/versions",
      headers: staff,
      payload: {
        document: "privacy",
        version: "v2",
        body: "Privacy Policy\n1. Overview\nNew.",
        material: true,
        summary: "New retention periods.",
        effectiveDate: effective,
      },
    });
    assert.equal(published.statusCode, 201, published.body);
    assert.equal(published.json().notified, 1);
    assert.equal(published.json().document.effectiveAt, `${effective}T00:00:00.000Z`);
    const legal = (await app.inject({ method: "GET", url: "/api/v1/legal" })).json();
    assert.deepEqual(
      legal.upcoming.map((d: { version: string; summary: string }) => [d.version, d.summary]),
      [["v2", "New retention periods."]],
    );
  });

  test("when staff ask for usage analytics, then they get aggregated groups with the minimum size, and a malformed month is refused", async () => {
    const ok = await app.inject({
      method: "GET",
      url: "/api/v1/staff/analytics/usage?from=2026-10&to=2026-11",
      headers: staff,
    });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), {
      from: "2026-10",
      to: "2026-11",
      minimumGroupSize: 20,
      groups: [],
      suppressedGroups: 0,
      excludedCustomers: 0,
    });
    assert.equal(ok.headers["cache-control"], "no-store");
    const bad = await app.inject({
      method: "GET",
      url: "/api/v1/staff/analytics/usage?from=2026-13&to=2026-11",
      headers: staff,
    });
    assert.equal(bad.statusCode, 400);
    const reversed = await app.inject({
      method: "GET",
      url: "/api/v1/staff/analytics/usage?from=2026-11&to=2026-01",
      headers: staff,
    });
    assert.equal(reversed.statusCode, 422);
  });
});
