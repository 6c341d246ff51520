import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { strFromU8, unzipSync } from "fflate";
import { Registry } from "prom-client";
import { createLogger } from "../../../logging/logger.ts";
import { SEED_PASSWORD, seedCustomerInEveryDataset } from "../../../testing/customer-in-every-dataset.ts";
import { forEachDialectWithServices } from "../../../testing/test-services.ts";
import { buildHttpApp } from "../app.ts";
import { sessionAuthenticator } from "../session.ts";

const STAFF_KEY = "staff-key-for-tests-0123456789abcdefghijklmnop";
const COOKIE = /^__Host-zq_session=([A-Za-z0-9_-]{43});/;

interface Signed {
  cookie: string;
  csrf: string;
}

forEachDialectWithServices("privacy routes", (context) => {
  const run = randomBytes(3).toString("hex");
  const address = (name: string) => `${name}-${run}@example.com`;
  let app: FastifyInstance;

  before(() => {
    const { services } = context();
    app = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json" }),
      metrics: new Registry(),
      databaseReady: async () => true,
      auth: { identity: services.identity, accounts: services.accounts },
      api: { services, session: sessionAuthenticator(services.identity) },
      privacy: {
        privacy: services.privacy,
        identity: services.identity,
        staffApiKey: STAFF_KEY,
        now: context().clock.now,
      },
    });
  });
  after(() => app.close());

  async function customer(name: string) {
    const { services, database, clock } = context();
    const seeded = await seedCustomerInEveryDataset(services, database.db, clock, address(name));
    const login = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: seeded.email, password: SEED_PASSWORD },
    });
    assert.equal(login.statusCode, 200, login.body);
    const match = COOKIE.exec(String(login.headers["set-cookie"]));
    assert.ok(match);
    const signed: Signed = { cookie: `__Host-zq_session=${match[1]}`, csrf: login.json().csrfToken };
    return { ...seeded, signed };
  }

  const call = (method: "GET" | "POST" | "PUT" | "DELETE", url: string, signed?: Signed, payload?: unknown) =>
    app.inject({
      method,
      url: `/api/v1/privacy${url}`,
      headers: signed ? { cookie: signed.cookie, "x-csrf-token": signed.csrf } : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  const staff = (
    method: "GET" | "POST",
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url: `/api/v1/staff/privacy${url}`,
      headers: { authorization: `Bearer ${STAFF_KEY}`, "x-staff-member": "grace", ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  test("when a signed-in customer downloads their data, then the ZIP comes as an attachment only to their session", async () => {
    const ada = await customer("ada");
    const created = await call("POST", "/exports", ada.signed, {});
    assert.equal(created.statusCode, 201, created.body);
    const archive = created.json().export;
    assert.equal(archive.status, "ready");
    const download = await call("GET", `/exports/${archive.id}/archive`, ada.signed);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers["content-type"], "application/zip");
    assert.match(
      String(download.headers["content-disposition"]),
      /^attachment; filename="zaqros-data-\d{4}-\d{2}-\d{2}\.zip"$/,
    );
    assert.equal(download.headers["cache-control"], "no-store");
    const files = unzipSync(new Uint8Array(download.rawPayload));
    assert.match(strFromU8(files["account/account.json"] as Uint8Array), new RegExp(ada.email));

    const anonymous = await call("GET", `/exports/${archive.id}/archive`);
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.headers["content-type"], "application/problem+json; charset=utf-8");
    const bob = await customer("bob");
    const stolen = await call("GET", `/exports/${archive.id}/archive`, bob.signed);
    assert.equal(stolen.statusCode, 404);
    assert.equal(stolen.json().code, "PRIVACY.EXPORT_NOT_FOUND");
  });

  test("when an API key or a cross-site request tries a privacy route, then it is refused", async () => {
    const ada = await customer("key");
    const key = await context().services.apiKeys.create(ada.accountId, { name: "rw", scope: "read-write" });
    const withKey = await app.inject({
      method: "POST",
      url: "/api/v1/privacy/erasure",
      headers: { authorization: `Bearer ${key.secret}` },
      payload: {},
    });
    assert.equal(withKey.statusCode, 401, "only the portal session may erase or download");
    const noCsrf = await app.inject({
      method: "POST",
      url: "/api/v1/privacy/erasure",
      headers: { cookie: ada.signed.cookie },
      payload: {},
    });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal(noCsrf.json().code, "HTTP.CSRF");
    assert.equal(
      (await call("GET", "/requests", ada.signed))
        .json()
        .requests.filter((r: { kind: string }) => r.kind === "erasure").length,
      0,
    );
  });

  test("when a customer requests erasure and cancels it, then the API says when it would run and what is outstanding", async () => {
    const ada = await customer("erase");
    const requested = await call("POST", "/erasure", ada.signed, {});
    assert.equal(requested.statusCode, 202, requested.body);
    const body = requested.json();
    assert.equal(body.request.status, "cooling-off");
    assert.equal(body.outstanding.unpaidBalance, true);
    assert.match(body.outstanding.statements[0], /does not stop the erasure/);
    const again = await call("POST", "/erasure", ada.signed, {});
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, "PRIVACY.ERASURE_PENDING");
    const overview = (await call("GET", "/overview", ada.signed)).json();
    assert.equal(overview.pendingErasure.id, body.request.id);
    assert.equal(overview.erasureCoolingOffDays, 14);
    assert.match(overview.complaint, /data-protection authority/);
    const cancelled = await call("DELETE", "/erasure", ada.signed);
    assert.equal(cancelled.statusCode, 200);
    assert.equal(cancelled.json().request.status, "cancelled");
    assert.equal((await call("DELETE", "/erasure", ada.signed)).statusCode, 409);

    context().clock.advance(11 * 60);
    const stale = await call("POST", "/erasure", ada.signed, {});
    assert.equal(stale.statusCode, 403, "the password must have been given in the last 10 minutes");
    assert.equal(stale.json().code, "IDENTITY.REAUTHENTICATION_REQUIRED");
    const reauth = await app.inject({
      method: "POST",
      url: "/api/v1/auth/reauthenticate",
      headers: { cookie: ada.signed.cookie, "x-csrf-token": ada.signed.csrf },
      payload: { password: SEED_PASSWORD },
    });
    assert.equal(reauth.statusCode, 204, reauth.body);
    assert.equal((await call("POST", "/erasure", ada.signed, {})).statusCode, 202);
    assert.equal((await call("DELETE", "/erasure", ada.signed)).statusCode, 200);
  });

  test("when a customer toggles restriction and withdraws a consent, then the answers show the new state at once", async () => {
    const ada = await customer("toggle");
    const restricted = await call("PUT", "/restriction", ada.signed, { on: true });
    assert.equal(restricted.statusCode, 200);
    assert.notEqual(restricted.json().preferences.restrictedAt, null);
    const bad = await call("PUT", "/objection", ada.signed, { on: "yes" });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.headers["content-type"], "application/problem+json; charset=utf-8");
    const extra = await call("PUT", "/objection", ada.signed, { on: true, everything: true });
    assert.equal(extra.statusCode, 400);
    const withdrawn = await call("DELETE", "/consents/product-news-email", ada.signed);
    assert.equal(withdrawn.statusCode, 200);
    const consents = (await call("GET", "/consents", ada.signed)).json();
    assert.equal(
      consents.consents.find((c: { purpose: string }) => c.purpose === "product-news-email").given,
      false,
    );
    assert.equal(
      (await call("DELETE", "/consents/terms", ada.signed)).json().code,
      "PRIVACY.NOT_WITHDRAWABLE",
    );
    assert.equal((await call("POST", "/consents/unknown-thing", ada.signed)).statusCode, 404);
    assert.equal((await call("POST", "/consents/../../etc", ada.signed)).statusCode, 404);
    const given = await call("POST", "/consents/feedback-surveys", ada.signed);
    assert.equal(given.statusCode, 201);
  });

  test("when staff work a request through the staff API, then it needs the operator key and a name, and the customer is told of an extension", async () => {
    const ada = await customer("staff");
    const rectification = await call("POST", "/rectification", ada.signed, {
      details: "My name is spelled Adah.",
    });
    assert.equal(rectification.statusCode, 201);
    const id = rectification.json().request.id;

    const noKey = await app.inject({ method: "GET", url: "/api/v1/staff/privacy/requests" });
    assert.equal(noKey.statusCode, 401);
    assert.match(String(noKey.headers["www-authenticate"]), /^Bearer realm="zaqros-staff"/);
    const customerKey = await context().services.apiKeys.create(ada.accountId, {
      name: "mine",
      scope: "read-write",
    });
    assert.equal(
      (await staff("GET", "/requests", undefined, { authorization: `Bearer ${customerKey.secret}` }))
        .statusCode,
      401,
    );
    assert.equal((await staff("GET", "/requests", undefined, { "x-staff-member": "" })).statusCode, 422);

    const listed = await staff("GET", "/requests?kind=rectification&status=received");
    assert.equal(listed.statusCode, 200);
    const found = listed.json().requests.find((r: { id: string }) => r.id === id);
    assert.equal(found.overdue, false);
    assert.ok(found.dueAt > found.receivedAt);
    assert.equal((await staff("GET", "/requests?kind=everything")).statusCode, 400);

    const extended = await staff("POST", `/requests/${id}/extend`, {
      reason: "Waiting for the carrier's records.",
    });
    assert.equal(extended.statusCode, 200, extended.body);
    assert.equal(extended.json().request.history.at(-1).actor, "staff:grace");
    const mail = (await context().services.notify.listOutbox(200)).find(
      (m) => m.to === ada.email && m.subject === "Your privacy request: we need more time",
    );
    assert.ok(mail, "the customer was mailed about the extension");
    assert.equal((await staff("POST", `/requests/${id}/extend`, { reason: "again" })).statusCode, 409);
    const done = await staff("POST", `/requests/${id}/complete`, { note: "Name corrected." });
    assert.equal(done.json().request.status, "completed");
    assert.equal((await staff("GET", "/requests/not-a-request")).statusCode, 404);

    const mine = (await call("GET", "/requests", ada.signed))
      .json()
      .requests.find((r: { id: string }) => r.id === id);
    assert.deepEqual(
      mine.history.map((h: { event: string }) => h.event),
      ["received", "extended", "completed"],
    );
  });

  test("when a customer asks by email, then staff record the request and it runs as from the Privacy page", async () => {
    const ada = await customer("byemail");
    const recorded = await staff("POST", "/requests", {
      accountEmail: ada.email.toUpperCase(),
      kind: "erasure",
    });
    assert.equal(recorded.statusCode, 201, recorded.body);
    const request = recorded.json().request;
    assert.equal(request.status, "cooling-off");
    assert.deepEqual(
      request.history.map((h: { actor: string; event: string }) => `${h.actor}:${h.event}`),
      ["customer:received", "staff:grace:recorded"],
    );
    const overview = (await call("GET", "/overview", ada.signed)).json();
    assert.equal(overview.pendingErasure.id, request.id, "the customer sees it and can cancel it");
    const access = await staff("POST", "/requests", { accountEmail: ada.email, kind: "access" });
    assert.equal(access.json().request.status, "completed");
    const mail = (await context().services.notify.listOutbox(300)).find(
      (m) => m.to === ada.email && m.subject === "Your privacy request: your data archive is ready",
    );
    assert.ok(mail, "the customer is told to download it");
    const unknown = await staff("POST", "/requests", { accountEmail: address("nobody"), kind: "access" });
    assert.equal(unknown.statusCode, 404);
    assert.equal(
      (await staff("POST", "/requests", { accountEmail: ada.email, kind: "child-report" })).statusCode,
      400,
    );
  });

  test("when someone reports a child's account, then staff confirm it and the account can no longer sign in", async () => {
    const child = await customer("child");
    const report = await app.inject({
      method: "POST",
      url: "/api/v1/privacy/child-reports",
      payload: { accountEmail: child.email, reporterEmail: address("parent"), details: "She is 12." },
    });
    assert.equal(report.statusCode, 202);
    const crossSite = await app.inject({
      method: "POST",
      url: "/api/v1/privacy/child-reports",
      headers: { "sec-fetch-site": "cross-site" },
      payload: { accountEmail: child.email, reporterEmail: address("parent") },
    });
    assert.equal(crossSite.statusCode, 403);
    const reports = (await staff("GET", "/requests?kind=child-report&status=awaiting-confirmation")).json()
      .requests;
    const mine = reports.find((r: { accountId: string }) => r.accountId === child.accountId);
    const confirmed = await staff("POST", `/requests/${mine.id}/confirm-child`, {
      note: "Parent showed proof of age.",
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.equal((await call("GET", "/overview", child.signed)).statusCode, 401, "the session ended");
    const login = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: child.email, password: SEED_PASSWORD },
    });
    assert.equal(login.statusCode, 401);
  });
});
