import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import type { MailTransport } from "../notify/notify.types.ts";
import { SmtpCapture, tokenFrom } from "../notify/smtp-capture.ts";
import { SmtpTransport } from "../notify/smtp-transport.ts";
import { CURRENT_LEGAL_VERSIONS } from "./legal-versions.ts";

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

const signUp = (email: string, password = "correct horse battery") => ({
  name: "Ada Lovelace",
  email,
  phone: "+14155550100",
  password,
  confirmsAge16OrOver: true,
  acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
  acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
});
const client = { ipAddress: "192.0.2.10", userAgent: "test-browser/1.0" };

forEachDialectWithServices(
  "identity service",
  (context) => {
    // One SMTP server serves both dialects' suites: each uses addresses of its own.
    const run = randomBytes(3).toString("hex");
    const ada = `ada-${run}@example.com`;
    const cy = `cy-${run}@example.com`;
    test("when a customer signs up, then the verification mail arrives over SMTP and its link verifies the email once", async () => {
      const { services } = context();
      await services.identity.signUp(signUp(ada));
      const message = await smtp.waitFor(ada, /verify-email\?token=/);
      const session = await services.identity.login({
        email: ada,
        password: "correct horse battery",
        ...client,
      });
      assert.equal(await services.identity.isEmailVerified(session.session.accountId), false);
      await services.identity.verifyEmail(tokenFrom(message));
      assert.equal(await services.identity.isEmailVerified(session.session.accountId), true);
      await assert.rejects(services.identity.verifyEmail(tokenFrom(message)), {
        code: "IDENTITY.INVALID_TOKEN",
      });
    });

    test("when the email is already in use, then sign-up looks the same and the owner gets a notice", async () => {
      const { services } = context();
      await services.identity.signUp(signUp(ada, "another good passphrase"));
      await smtp.waitFor(ada, /already has an account/);
      await assert.rejects(
        services.identity.login({ email: ada, password: "another good passphrase", ...client }),
        { code: "IDENTITY.INVALID_CREDENTIALS" },
      );
    });

    test("when a password is common or the age is not confirmed, then sign-up is refused", async () => {
      const { services } = context();
      await assert.rejects(services.identity.signUp(signUp("bob@example.com", "Password123")), {
        code: "IDENTITY.COMMON_PASSWORD",
      });
      await assert.rejects(
        services.identity.signUp({ ...signUp("bob@example.com"), confirmsAge16OrOver: false }),
        {
          code: "IDENTITY.AGE_NOT_CONFIRMED",
        },
      );
      await assert.rejects(
        services.identity.signUp({ ...signUp("bob@example.com"), acceptedTermsVersion: "2001-01-01" }),
        {
          code: "IDENTITY.TERMS_NOT_ACCEPTED",
        },
      );
      await assert.rejects(services.identity.signUp(signUp("bob@example.com", "short")), {
        code: "IDENTITY.INVALID_PASSWORD",
      });
    });

    test("when wrong passwords keep coming, then sign-in waits, and the wait ends by itself", async () => {
      const { services, clock } = context();
      await services.identity.signUp(signUp(cy));
      const wrong = { email: cy, password: "not the password", ...client };
      for (let i = 0; i < 5; i++) {
        await assert.rejects(services.identity.login(wrong), { code: "IDENTITY.INVALID_CREDENTIALS" });
      }
      await assert.rejects(services.identity.login({ ...wrong, password: "correct horse battery" }), {
        code: "IDENTITY.TOO_MANY_ATTEMPTS",
      });
      clock.advance(2);
      const session = await services.identity.login({ ...wrong, password: "correct horse battery" });
      assert.ok(session.token.length >= 43);
    });

    test("when one address tries many accounts, then that address waits while others sign in", async () => {
      const { services, clock } = context();
      clock.advance(3600);
      const attacker = { ipAddress: "203.0.113.66", userAgent: "spray/1.0" };
      for (let i = 0; i < 20; i++) {
        await assert.rejects(
          services.identity.login({
            email: `victim-${i}-${run}@example.com`,
            password: "Winter2026!",
            ...attacker,
          }),
          { code: "IDENTITY.INVALID_CREDENTIALS" },
        );
      }
      await assert.rejects(
        services.identity.login({ email: cy, password: "correct horse battery", ...attacker }),
        { code: "IDENTITY.TOO_MANY_ATTEMPTS" },
      );
      const fromHome = await services.identity.login({
        email: cy,
        password: "correct horse battery",
        ...client,
      });
      assert.equal(fromHome.session.ipAddress, client.ipAddress);
    });
  },
  { mailTransport: mail },
);
