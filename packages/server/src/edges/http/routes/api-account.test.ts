import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { CURRENT_LEGAL_VERSIONS } from "../../../domains/identity/legal-versions.ts";
import { createLogger } from "../../../logging/logger.ts";
import { forEachDialectWithServices } from "../../../testing/test-services.ts";
import { buildHttpApp } from "../app.ts";
import { sessionAuthenticator } from "../session.ts";

forEachDialectWithServices("profile rectification: PATCH /api/v1/account", (ctx) => {
  let app: FastifyInstance;
  const run = randomBytes(3).toString("hex");
  let alice: { id: string; write: string; read: string };
  let bob: { id: string; write: string };
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const patch = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: "PATCH",
      url: "/api/v1/account",
      headers: { ...auth(key), "content-type": "application/json", ...headers },
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
    });
  const read = async (key: string) =>
    (await app.inject({ method: "GET", url: "/api/v1/account", headers: auth(key) })).json();

  before(async () => {
    const { services } = ctx();
    app = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json", destination: new PassThrough() }),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: { services, session: sessionAuthenticator(services.identity) },
      auth: { identity: services.identity, accounts: services.accounts },
    });
    await app.ready();
    const a = await services.accounts.create({ name: "Ada", email: `ada-${run}@example.com`, country: "GB" });
    const b = await services.accounts.create({
      name: "Bob",
      email: `bob-${run}@example.com`,
      phone: "+14155550100",
    });
    alice = {
      id: a.id,
      write: (await services.apiKeys.create(a.id, { name: "rw", scope: "read-write" })).secret,
      read: (await services.apiKeys.create(a.id, { name: "ro", scope: "read" })).secret,
    };
    bob = {
      id: b.id,
      write: (await services.apiKeys.create(b.id, { name: "rw", scope: "read-write" })).secret,
    };
  });
  after(() => app.close());

  test("when a customer corrects name and phone, then the phone is stored in E.164 and only their account changes", async () => {
    const answer = await patch(alice.write, { name: "  Ada King  ", phone: "020 7946 0958" });
    assert.equal(answer.statusCode, 200, answer.body);
    assert.equal(answer.json().name, "Ada King");
    assert.equal(answer.json().phone, "+442079460958", "read in the account's country (GB)");
    const now = await read(alice.write);
    assert.deepEqual(
      [now.name, now.phone, now.email],
      ["Ada King", "+442079460958", `ada-${run}@example.com`],
    );
    const other = await read(bob.write);
    assert.deepEqual([other.name, other.phone], ["Bob", "+14155550100"], "another customer is untouched");

    assert.equal((await patch(alice.write, { phone: "+33 1 42 68 53 00" })).json().phone, "+33142685300");
    const removed = await patch(alice.write, { phone: null });
    assert.deepEqual([removed.json().name, removed.json().phone], ["Ada King", null], "the name stays");
  });

  test("when the body has wrong types, bad values, unknown or no properties, then a 4xx problem and nothing changes", async () => {
    const before = await read(bob.write);
    const cases: Array<[unknown, number, RegExp | string]> = [
      [{ name: 42 }, 400, /name must be a string/],
      [{ name: ["Mallory"] }, 400, /name must be a string/],
      [{ name: true }, 400, /name must be a string/],
      [{ phone: 4155550199 }, 400, /phone must be a string or null/],
      [{ phone: { e164: "+14155550199" } }, 400, /phone must be a string or null/],
      [{ name: "" }, 400, /fewer than 1 characters/],
      [{ name: "x".repeat(201) }, 400, /more than 200 characters/],
      [{ phone: "1".repeat(33) }, 400, /more than 32 characters/],
      [{}, 400, /fewer than 1 properties/],
      [{ email: "new@example.com" }, 400, /additional properties/],
      [{ name: "Bob", id: alice.id }, 400, /additional properties/],
      [{ name: "Bob", accountId: alice.id }, 400, /additional properties/],
      ["[]", 400, /must be object/],
      ["{not json", 400, /JSON/],
      [{ name: "   " }, 422, "ACCOUNT.INVALID_NAME"],
      [{ phone: "12" }, 422, "ACCOUNT.INVALID_PHONE"],
      [{ phone: "+1 555 0100 <script>" }, 422, "ACCOUNT.INVALID_PHONE"],
    ];
    for (const [payload, status, expected] of cases) {
      const answer = await patch(bob.write, payload);
      assert.equal(answer.statusCode, status, `${JSON.stringify(payload)}: ${answer.body}`);
      assert.equal(answer.headers["content-type"], "application/problem+json; charset=utf-8");
      const body = answer.json();
      if (typeof expected === "string") assert.equal(body.code, expected);
      else assert.match(`${body.detail} ${body.title}`, expected, JSON.stringify(body));
    }
    const oversized = await patch(bob.write, { name: "x".repeat(300 * 1024) });
    assert.equal(oversized.statusCode, 413);
    assert.equal(oversized.json().title, "Request body too large");
    assert.deepEqual(await read(bob.write), before);
  });

  test("when a read-only key or no key tries a correction, then 403 or 401 and nothing changes", async () => {
    assert.equal((await patch(alice.read, { name: "Eve" })).statusCode, 403);
    const anonymous = await app.inject({ method: "PATCH", url: "/api/v1/account", payload: { name: "Eve" } });
    assert.equal(anonymous.statusCode, 401);
    assert.notEqual((await read(alice.read)).name, "Eve");
  });

  test("when the portal corrects the profile with its session, then it needs the CSRF token", async () => {
    const { services } = ctx();
    const email = `cy-${run}@example.com`;
    await services.identity.signUp({
      name: "Cy",
      email,
      password: "correct horse battery",
      confirmsAge16OrOver: true,
      acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
      acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
    });
    const login = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email, password: "correct horse battery" },
    });
    const cookie = String(login.headers["set-cookie"]).split(";")[0] as string;
    const csrf = login.json().csrfToken as string;
    const attempt = (headers: Record<string, string>) =>
      app.inject({
        method: "PATCH",
        url: "/api/v1/account",
        headers: { cookie, ...headers },
        payload: { name: "Cy Young" },
      });
    assert.equal((await attempt({})).statusCode, 401, "no CSRF token: not accepted as the session");
    assert.equal((await attempt({ "x-csrf-token": csrf, origin: "https://evil.example" })).statusCode, 401);
    const done = await attempt({ "x-csrf-token": csrf });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().name, "Cy Young");
  });
});
