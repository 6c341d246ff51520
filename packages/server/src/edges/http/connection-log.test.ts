import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import type { ActivityEntry } from "../../domains/identity/identity.types.ts";
import { CURRENT_LEGAL_VERSIONS } from "../../domains/identity/legal-versions.ts";
import { createLogger } from "../../logging/logger.ts";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { buildHttpApp } from "./app.ts";
import { sessionAuthenticator } from "./session.ts";

const PASSWORD = "correct horse battery";

forEachDialectWithServices("connection log through the HTTP edge", (ctx) => {
  const run = randomBytes(3).toString("hex");
  let behindProxy: FastifyInstance;
  let direct: FastifyInstance;
  let accountId: string;
  let key: string;
  let keyId: string;

  const appTrusting = (trustProxy: string[]) => {
    const { services } = ctx();
    return buildHttpApp({
      logger: createLogger({ level: "silent", format: "json", destination: new PassThrough() }),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: { services, session: sessionAuthenticator(services.identity) },
      auth: { identity: services.identity, accounts: services.accounts },
      trustProxy,
    });
  };

  /** The hook writes after the answer is sent; wait until the log holds `count` entries of `event`. */
  async function activityOf(event: string, count: number): Promise<ActivityEntry[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const entries = (await ctx().services.identity.listActivity(accountId)).filter(
        (a) => a.event === event,
      );
      if (entries.length >= count || Date.now() > deadline) return entries;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  before(async () => {
    const { services } = ctx();
    behindProxy = appTrusting(["127.0.0.1"]);
    direct = appTrusting([]);
    await Promise.all([behindProxy.ready(), direct.ready()]);
    const email = `proxied-${run}@example.com`;
    await services.identity.signUp({
      name: "Pat",
      email,
      password: PASSWORD,
      confirmsAge16OrOver: true,
      acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
      acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
    });
    const login = await behindProxy.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email, password: PASSWORD },
      headers: { "x-forwarded-for": "193.0.6.139", "user-agent": "Firefox/140.0" },
      remoteAddress: "127.0.0.1",
    });
    assert.equal(login.statusCode, 200, login.body);
    accountId = login.json().accountId;
    const created = await services.apiKeys.create(accountId, { name: "script", scope: "read" });
    key = created.secret;
    keyId = created.id;
  });
  after(() => Promise.all([behindProxy.close(), direct.close()]));

  const call = (app: FastifyInstance, forwardedFor: string) =>
    app.inject({
      method: "GET",
      url: "/api/v1/account",
      headers: {
        authorization: `Bearer ${key}`,
        "x-forwarded-for": forwardedFor,
        "user-agent": "curl/8.5.0",
      },
      remoteAddress: "127.0.0.1",
    });

  test("when a sign-in comes through a trusted proxy, then the browser's address and its place are logged", async () => {
    const [signIn] = await activityOf("sign-in", 1);
    assert.equal(signIn?.ipAddress, "193.0.6.139");
    assert.equal(signIn?.country, "NL");
    assert.match(signIn?.city ?? "", /^Amsterdam/);
    assert.equal(signIn?.userAgent, "Firefox/140.0");
  });

  test("when an API key is used through a trusted proxy many times, then each client address is logged once, placed", async () => {
    for (let i = 0; i < 5; i++) assert.equal((await call(behindProxy, "8.8.8.8")).statusCode, 200);
    const first = await activityOf("api-use", 1);
    assert.equal((await call(behindProxy, "81.2.69.142")).statusCode, 200);
    const both = await activityOf("api-use", 2);
    assert.equal(first.length, 1);
    assert.deepEqual(both.map((a) => [a.ipAddress, a.country, a.apiKeyId, a.userAgent]).sort(), [
      ["8.8.8.8", "US", keyId, "curl/8.5.0"],
      ["81.2.69.142", "GB", keyId, "curl/8.5.0"],
    ]);
  });

  test("when a peer that is not a trusted proxy forges X-Forwarded-For, then its own address is logged, unplaced", async () => {
    assert.equal((await call(direct, "1.1.1.1")).statusCode, 200);
    const entries = await activityOf("api-use", 3);
    const forged = entries.find((a) => a.ipAddress !== "8.8.8.8" && a.ipAddress !== "81.2.69.142");
    assert.deepEqual([forged?.ipAddress, forged?.country, forged?.city], ["127.0.0.1", null, null]);
    assert.ok(!entries.some((a) => a.ipAddress === "1.1.1.1"));
  });
});
