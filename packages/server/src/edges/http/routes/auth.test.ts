import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Secret, TOTP } from "otpauth";
import { Registry } from "prom-client";
import { CURRENT_LEGAL_VERSIONS } from "../../../domains/identity/legal-versions.ts";
import type { MailTransport } from "../../../domains/notify/notify.types.ts";
import { SmtpCapture, tokenFrom } from "../../../domains/notify/smtp-capture.ts";
import { SmtpTransport } from "../../../domains/notify/smtp-transport.ts";
import { createLogger } from "../../../logging/logger.ts";
import { forEachDialectWithServices } from "../../../testing/test-services.ts";
import { buildHttpApp } from "../app.ts";
import { sessionAuthenticator } from "../session.ts";

const smtp = new SmtpCapture();
let transport: SmtpTransport | undefined;
const mail: MailTransport = { send: (message) => (transport as SmtpTransport).send(message) };
before(async () => {
  transport = new SmtpTransport(await smtp.start(), "Zaqros <noreply@test.zaqros>");
});
after(async () => {
  transport?.close();
  await smtp.close();
});

const PASSWORD = "correct horse battery staple";
const COOKIE = /^__Host-zq_session=([A-Za-z0-9_-]{43}); Path=\/; HttpOnly; Secure; SameSite=Lax$/;

interface Signed {
  cookie: string;
  csrf: string;
}

forEachDialectWithServices(
  "auth routes",
  (context) => {
    const run = randomBytes(3).toString("hex");
    const address = (name: string) => `${name}-${run}@example.com`;
    const logChunks: string[] = [];
    let app: FastifyInstance;

    before(() => {
      const { services } = context();
      const stream = new PassThrough();
      stream.on("data", (chunk) => logChunks.push(String(chunk)));
      app = buildHttpApp({
        logger: createLogger({ level: "trace", format: "json", destination: stream }),
        metrics: new Registry(),
        databaseReady: async () => true,
        auth: { identity: services.identity, accounts: services.accounts },
        api: { services, session: sessionAuthenticator(services.identity) },
      });
    });
    after(() => app.close());

    const post = (url: string, payload: unknown, signed?: Signed, headers: Record<string, string> = {}) =>
      app.inject({
        method: "POST",
        url: `/api/v1/auth${url}`,
        payload: payload as object,
        headers: signed ? { cookie: signed.cookie, "x-csrf-token": signed.csrf, ...headers } : headers,
      });
    const get = (url: string, signed?: Signed) =>
      app.inject({
        method: "GET",
        url: `/api/v1/auth${url}`,
        headers: signed ? { cookie: signed.cookie } : {},
      });

    const signUpBody = (email: string, overrides: Record<string, unknown> = {}) => ({
      name: "Ada Lovelace",
      email,
      phone: "+14155550100",
      password: PASSWORD,
      confirmsAge16OrOver: true,
      acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
      acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
      ...overrides,
    });

    async function signUp(email: string) {
      const response = await post("/signup", signUpBody(email));
      assert.equal(response.statusCode, 202, response.body);
      return smtp.waitFor(email, /verify-email\?token=/);
    }

    async function logIn(email: string, password = PASSWORD, extra: Record<string, unknown> = {}) {
      const response = await post("/login", { email, password, ...extra });
      assert.equal(response.statusCode, 200, response.body);
      const match = COOKIE.exec(String(response.headers["set-cookie"]));
      assert.ok(match, `cookie ${response.headers["set-cookie"]}`);
      return { cookie: `__Host-zq_session=${match[1]}`, csrf: response.json().csrfToken as string };
    }

    test("when a customer signs up, then the mail arrives by SMTP and its link verifies the address once", async () => {
      const email = address("ada");
      const message = await signUp(email);
      const signed = await logIn(email);
      assert.equal((await get("/me", signed)).json().emailVerifiedAt, null);
      assert.equal((await post("/verify-email", { token: tokenFrom(message) })).statusCode, 204);
      const me = (await get("/me", signed)).json();
      assert.equal(me.email, email);
      assert.equal(me.phone, "+14155550100");
      assert.equal(me.emailVerifiedAt, "2026-11-30T12:00:00.000Z");
      const again = await post("/verify-email", { token: tokenFrom(message) });
      assert.equal(again.statusCode, 400);
      assert.equal(again.headers["content-type"], "application/problem+json; charset=utf-8");
      assert.equal(again.json().code, "IDENTITY.INVALID_TOKEN");
    });

    test("when sign-up input is wrong, then each mistake gets its own 4xx problem", async () => {
      const cases: Array<[Record<string, unknown>, number, string | undefined]> = [
        [signUpBody(address("p1"), { password: "Password123" }), 422, "IDENTITY.COMMON_PASSWORD"],
        [signUpBody(address("p2"), { password: "seven77" }), 422, "IDENTITY.INVALID_PASSWORD"],
        [signUpBody(address("p3"), { password: "x".repeat(129) }), 422, "IDENTITY.INVALID_PASSWORD"],
        [signUpBody(address("p4"), { confirmsAge16OrOver: false }), 422, "IDENTITY.AGE_NOT_CONFIRMED"],
        [
          signUpBody(address("p5"), { acceptedTermsVersion: "1999-01-01" }),
          422,
          "IDENTITY.TERMS_NOT_ACCEPTED",
        ],
        [signUpBody(address("p6"), { phone: "12345" }), 422, "ACCOUNT.INVALID_PHONE"],
        [signUpBody("not-an-email"), 422, "ACCOUNT.INVALID_EMAIL"],
        [signUpBody(address("p7"), { confirmsAge16OrOver: "yes please" }), 400, "FST_ERR_VALIDATION"],
        [{ email: address("p8"), password: PASSWORD }, 400, "FST_ERR_VALIDATION"],
        [signUpBody(address("p9"), { name: { first: "Ada" } }), 400, "FST_ERR_VALIDATION"],
        [signUpBody(address("p10"), { isAdmin: true }), 400, "FST_ERR_VALIDATION"],
      ];
      for (const [body, status, code] of cases) {
        const response = await post("/signup", body);
        assert.equal(response.statusCode, status, `${JSON.stringify(body)} -> ${response.body}`);
        assert.equal(response.json().code, code);
      }
      const huge = await post("/signup", signUpBody(address("big"), { name: "a".repeat(300_000) }));
      assert.equal(huge.statusCode, 413);
    });

    test("when signing in, then the one cookie is __Host-, Secure, HttpOnly, SameSite=Lax, and an older id is not kept", async () => {
      const email = address("fix");
      await signUp(email);
      const first = await logIn(email);
      const response = await app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email, password: PASSWORD },
        headers: { cookie: first.cookie },
      });
      const cookie = String(response.headers["set-cookie"]);
      assert.match(cookie, COOKIE);
      assert.notEqual(cookie.split(";")[0], first.cookie);
      assert.equal((await get("/me", first)).statusCode, 401);
    });

    test("when a state-changing request lacks the CSRF token or comes from another site, then it is refused", async () => {
      const email = address("csrf");
      await signUp(email);
      const signed = await logIn(email);
      const noToken = await app.inject({
        method: "POST",
        url: "/api/v1/auth/logout",
        headers: { cookie: signed.cookie },
      });
      assert.equal(noToken.statusCode, 403);
      assert.equal(noToken.json().code, "HTTP.CSRF");
      const wrongToken = await post("/logout", undefined, { ...signed, csrf: "x".repeat(43) });
      assert.equal(wrongToken.statusCode, 403);
      const otherSite = await post("/logout", undefined, signed, { origin: "https://evil.example" });
      assert.equal(otherSite.statusCode, 403);
      const crossSiteLogin = await post("/login", { email, password: PASSWORD }, undefined, {
        "sec-fetch-site": "cross-site",
      });
      assert.equal(crossSiteLogin.statusCode, 403);
      assert.equal((await get("/me", signed)).statusCode, 200, "refused requests changed nothing");
      const logout = await post("/logout", undefined, signed, { origin: "http://localhost:80" });
      assert.equal(logout.statusCode, 204);
      assert.match(String(logout.headers["set-cookie"]), /^__Host-zq_session=; Max-Age=0; Path=\/;/);
      assert.equal((await get("/me", signed)).statusCode, 401);
    });

    test("when a session sits idle 30 minutes or lives 12 hours, then it ends", async () => {
      const { clock } = context();
      const email = address("idle");
      await signUp(email);
      const idle = await logIn(email);
      clock.advance(29 * 60);
      assert.equal((await get("/me", idle)).statusCode, 200);
      clock.advance(30 * 60);
      assert.equal((await get("/me", idle)).statusCode, 401);
      const busy = await logIn(email);
      for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
        clock.advance(20 * 60);
        assert.equal((await get("/me", busy)).statusCode, 200, `at ${minutes + 20} minutes`);
      }
      clock.advance(20 * 60);
      assert.equal((await get("/me", busy)).statusCode, 401);
    });

    test("when a customer lists sessions and ends another one, then that one stops working", async () => {
      const email = address("sessions");
      await signUp(email);
      const laptop = await logIn(email);
      const phone = await logIn(email);
      const listed = (await get("/sessions", laptop)).json().sessions as Array<{
        id: string;
        current: boolean;
      }>;
      assert.equal(listed.length, 2);
      const other = listed.find((s) => !s.current);
      assert.ok(other);
      const end = await app.inject({
        method: "DELETE",
        url: `/api/v1/auth/sessions/${other.id}`,
        headers: { cookie: laptop.cookie, "x-csrf-token": laptop.csrf },
      });
      assert.equal(end.statusCode, 204);
      assert.equal((await get("/me", phone)).statusCode, 401);
      assert.equal((await get("/me", laptop)).statusCode, 200);
      const unknown = await app.inject({
        method: "DELETE",
        url: `/api/v1/auth/sessions/${other.id}`,
        headers: { cookie: laptop.cookie, "x-csrf-token": laptop.csrf },
      });
      assert.equal(unknown.statusCode, 404);
      const notUuid = await app.inject({
        method: "DELETE",
        url: "/api/v1/auth/sessions/nope",
        headers: { cookie: laptop.cookie, "x-csrf-token": laptop.csrf },
      });
      assert.equal(notUuid.statusCode, 400);
    });

    test("when a password is reset, then the link works once within 30 minutes and every session ends", async () => {
      const { clock } = context();
      const email = address("reset");
      await signUp(email);
      const signed = await logIn(email);
      const unknown = await post("/password-reset/request", { email: address("nobody") });
      const known = await post("/password-reset/request", { email });
      assert.equal(unknown.statusCode, 202);
      assert.deepEqual(unknown.json(), known.json());
      const link = tokenFrom(await smtp.waitFor(email, /reset-password\?token=/));
      const fresh = "another long passphrase";
      assert.equal((await post("/password-reset/confirm", { token: link, password: fresh })).statusCode, 204);
      assert.equal((await get("/me", signed)).statusCode, 401);
      assert.equal((await post("/password-reset/confirm", { token: link, password: fresh })).statusCode, 400);
      await logIn(email, fresh);
      await smtp.waitFor(email, /password was changed/);

      await post("/password-reset/request", { email });
      const mails = smtp.messages.filter((m) => m.to.includes(email) && /reset-password/.test(m.raw));
      const late = tokenFrom(mails[mails.length - 1] as (typeof mails)[number]);
      clock.advance(31 * 60);
      const expired = await post("/password-reset/confirm", {
        token: late,
        password: "yet another passphrase",
      });
      assert.equal(expired.statusCode, 400);
      assert.equal(expired.json().code, "IDENTITY.INVALID_TOKEN");
    });

    test("when wrong passwords keep coming, then sign-in answers 429 with Retry-After, and that passes by itself", async () => {
      const { clock } = context();
      const email = address("throttle");
      await signUp(email);
      for (let i = 0; i < 5; i++) {
        const wrong = await post("/login", { email, password: "not my password" });
        assert.equal(wrong.statusCode, 401);
        assert.equal(wrong.json().code, "IDENTITY.INVALID_CREDENTIALS");
      }
      const held = await post("/login", { email, password: PASSWORD });
      assert.equal(held.statusCode, 429);
      assert.equal(held.headers["retry-after"], "1");
      clock.advance(1);
      await logIn(email);
      const nobody = await post("/login", { email: address("ghost"), password: PASSWORD });
      assert.equal(nobody.statusCode, 401);
      assert.equal(
        nobody.json().title,
        (await post("/login", { email, password: "nope nope" })).json().title,
      );
    });

    test("when two-factor is switched on, then sign-in needs a current code or an unused recovery code", async () => {
      const { clock } = context();
      const email = address("totp");
      await signUp(email);
      const signed = await logIn(email);
      clock.advance(11 * 60);
      const stale = await post("/2fa/setup", undefined, signed);
      assert.equal(stale.statusCode, 403);
      assert.equal(stale.json().code, "IDENTITY.REAUTHENTICATION_REQUIRED");
      assert.equal((await post("/reauthenticate", { password: "wrong password" }, signed)).statusCode, 401);
      assert.equal((await post("/reauthenticate", { password: PASSWORD }, signed)).statusCode, 204);
      const setup = await post("/2fa/setup", undefined, signed);
      assert.equal(setup.statusCode, 200);
      assert.match(setup.json().uri, /^otpauth:\/\/totp\/Zaqros:/);
      const totp = new TOTP({ secret: Secret.fromBase32(setup.json().secret) });
      const codeNow = () => totp.generate({ timestamp: clock.now().getTime() });
      const wrongCode = codeNow() === "000000" ? "111111" : "000000";
      assert.equal((await post("/2fa/enable", { code: wrongCode }, signed)).statusCode, 401);
      const enabled = await post("/2fa/enable", { code: codeNow() }, signed);
      assert.equal(enabled.statusCode, 200);
      const recovery = enabled.json().recoveryCodes as string[];
      assert.equal(recovery.length, 10);
      assert.equal((await get("/me", signed)).json().twoFactorEnabled, true);

      const bare = await post("/login", { email, password: PASSWORD });
      assert.equal(bare.statusCode, 401);
      assert.equal(bare.json().code, "IDENTITY.TWO_FACTOR_REQUIRED");
      clock.advance(30);
      const code = codeNow();
      await logIn(email, PASSWORD, { totp: code });
      const replayed = await post("/login", { email, password: PASSWORD, totp: code });
      assert.equal(replayed.statusCode, 401, "a TOTP code works once");
      await logIn(email, PASSWORD, { totp: recovery[0] });
      const reused = await post("/login", { email, password: PASSWORD, totp: recovery[0] });
      assert.equal(reused.statusCode, 401);
      assert.equal(reused.json().code, "IDENTITY.INVALID_TWO_FACTOR_CODE");
      await logIn(email, PASSWORD, { totp: recovery[1] });

      assert.equal((await post("/2fa/disable", undefined, signed)).statusCode, 204);
      await logIn(email);
    });

    test("when a customer changes password or email, then it needs a recent password, ends other sessions and tells the old address", async () => {
      const { clock } = context();
      const email = address("change");
      await signUp(email);
      const here = await logIn(email);
      const elsewhere = await logIn(email);
      clock.advance(11 * 60);
      await get("/me", elsewhere);
      const stale = await post("/password", { password: "a brand new passphrase" }, here);
      assert.equal(stale.statusCode, 403);
      assert.equal(stale.json().code, "IDENTITY.REAUTHENTICATION_REQUIRED");
      assert.equal((await post("/reauthenticate", { password: PASSWORD }, here)).statusCode, 204);
      assert.equal((await post("/password", { password: "Password123" }, here)).statusCode, 422);
      assert.equal((await post("/password", { password: "a brand new passphrase" }, here)).statusCode, 204);
      assert.equal((await get("/me", here)).statusCode, 200);
      assert.equal((await get("/me", elsewhere)).statusCode, 401);
      assert.equal((await post("/login", { email, password: PASSWORD })).statusCode, 401);

      const moved = address("moved");
      clock.advance(11 * 60);
      const staleEmail = await post("/email", { email: moved }, here);
      assert.equal(staleEmail.statusCode, 403, "an email change needs a recent password too");
      assert.equal(staleEmail.json().code, "IDENTITY.REAUTHENTICATION_REQUIRED");
      assert.equal(
        (await post("/reauthenticate", { password: "a brand new passphrase" }, here)).statusCode,
        204,
      );
      assert.equal((await post("/email", { email: moved }, here)).statusCode, 202);
      const link = tokenFrom(await smtp.waitFor(moved, /confirm-email\?token=/));
      assert.equal((await get("/me", here)).json().email, email, "nothing changes before the link is used");
      assert.equal((await post("/email/confirm", { token: link })).statusCode, 204);
      assert.equal((await get("/me", here)).json().email, moved);
      await smtp.waitFor(email, /changed to/);
      assert.equal((await post("/email/confirm", { token: link })).statusCode, 400);
      await logIn(moved, "a brand new passphrase");
    });

    test("when a customer signs in, then Security shows from where, with the place when the address has one", async () => {
      const email = address("activity");
      await signUp(email);
      const login = (remoteAddress: string) =>
        app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { email, password: PASSWORD },
          headers: { "user-agent": "Firefox/140.0" },
          remoteAddress,
        });
      await login("198.51.100.7");
      context().clock.advance(60);
      const signed = await login("193.0.6.139");
      const cookie = String(signed.headers["set-cookie"]).split(";")[0] as string;
      const answer = (await get("/security/activity", { cookie, csrf: "" })).json();
      const at = (seconds: number) =>
        new Date(context().clock.now().getTime() - seconds * 1000).toISOString();
      assert.equal(answer.activity[0].city.startsWith("Amsterdam"), true, answer.activity[0].city);
      assert.deepEqual(answer.activity, [
        {
          event: "sign-in",
          ipAddress: "193.0.6.139",
          userAgent: "Firefox/140.0",
          country: "NL",
          city: answer.activity[0].city,
          apiKeyId: null,
          at: at(0),
        },
        {
          event: "sign-in",
          ipAddress: "198.51.100.7",
          userAgent: "Firefox/140.0",
          country: null,
          city: null,
          apiKeyId: null,
          at: at(60),
        },
      ]);
      assert.deepEqual(answer.placesBy, {
        name: "IP Geolocation by DB-IP",
        url: "https://db-ip.com",
        license: "CC BY 4.0",
      });
      assert.equal((await get("/security/activity")).statusCode, 401);
    });

    test("when signed in through the portal, then /api/v1 reads with the session, and changes need the CSRF token", async () => {
      const email = address("api");
      await signUp(email);
      const signed = await logIn(email);
      const account = await app.inject({
        method: "GET",
        url: "/api/v1/account",
        headers: { cookie: signed.cookie },
      });
      assert.equal(account.statusCode, 200, account.body);
      assert.equal(account.json().email, email);
      const payload = { name: "laptop script", scope: "read" };
      const forged = await app.inject({
        method: "POST",
        url: "/api/v1/api-keys",
        payload,
        headers: { cookie: signed.cookie },
      });
      assert.equal(forged.statusCode, 401);
      const made = await app.inject({
        method: "POST",
        url: "/api/v1/api-keys",
        payload,
        headers: { cookie: signed.cookie, "x-csrf-token": signed.csrf },
      });
      assert.equal(made.statusCode, 201, made.body);
    });

    test("when passwords and session cookies go through the app, then none reaches the log", async () => {
      const email = address("logs");
      await signUp(email);
      const signed = await logIn(email);
      await post("/logout", undefined, signed);
      const log = logChunks.join("");
      assert.ok(log.length > 0, "requests were logged");
      assert.equal(log.includes(PASSWORD), false);
      assert.equal(log.includes(signed.cookie.split("=")[1] as string), false);
    });
  },
  { mailTransport: mail },
);
