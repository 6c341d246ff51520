import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { sql } from "kysely";
import { Secret, TOTP } from "otpauth";
import { isPostgres } from "../../db/write-transaction.ts";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { CURRENT_LEGAL_VERSIONS } from "./legal-versions.ts";

const PASSWORD = "correct horse battery";
const signUpInput = (email: string) => ({
  name: "Grace Hopper",
  email,
  phone: "+14155550100",
  password: PASSWORD,
  confirmsAge16OrOver: true,
  acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
  acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
});
const codeFor = (secret: string, at: Date) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: at.getTime(),
  });

forEachDialectWithServices("identity at rest and in the connection log", (context) => {
  const run = randomBytes(3).toString("hex");
  const address = (name: string) => `${name}-${run}@example.com`;

  async function signedIn(name: string) {
    const { services } = context();
    await services.identity.signUp(signUpInput(address(name)));
    return services.identity.login({
      email: address(name),
      password: PASSWORD,
      ipAddress: null,
      userAgent: null,
    });
  }

  test("when sign-up fails part-way (the database refuses a consent), then nothing of the account is left", async () => {
    const { services, database } = context();
    const db = database.db;
    if (isPostgres(db)) {
      await sql`create function refuse_privacy_consent() returns trigger language plpgsql as $$
        begin if new.document = 'privacy' then raise exception 'refused by test trigger'; end if; return new; end $$`.execute(
        db,
      );
      await sql`create trigger refuse_privacy before insert on consents for each row execute function refuse_privacy_consent()`.execute(
        db,
      );
    } else {
      await sql`create trigger refuse_privacy before insert on consents when new.document = 'privacy'
        begin select raise(abort, 'refused by test trigger'); end`.execute(db);
    }
    try {
      await assert.rejects(services.identity.signUp(signUpInput(address("half"))), /refused by test trigger/);
    } finally {
      await sql`drop trigger refuse_privacy${isPostgres(db) ? sql` on consents` : sql``}`.execute(db);
    }
    const account = await db
      .selectFrom("accounts")
      .select("id")
      .where("email", "=", address("half"))
      .executeTakeFirst();
    assert.equal(account, undefined, "no account without its consents");
    const tokens = await db
      .selectFrom("identity_tokens")
      .leftJoin("accounts", "accounts.id", "identity_tokens.account_id")
      .select("token_hash")
      .where("accounts.id", "is", null)
      .execute();
    assert.deepEqual(tokens, []);
    const mail = await db
      .selectFrom("mail_outbox")
      .select("id")
      .where("recipient", "=", address("half"))
      .execute();
    assert.deepEqual(mail, [], "no verification link for an account that does not exist");

    await services.identity.signUp(signUpInput(address("half")));
    const consents = await db
      .selectFrom("consents")
      .innerJoin("accounts", "accounts.id", "consents.account_id")
      .select("document")
      .where("accounts.email", "=", address("half"))
      .execute();
    assert.deepEqual(
      consents.map((c) => c.document).sort(),
      ["privacy", "terms"],
      "the same sign-up works again",
    );
  });

  test("when two-factor is set up, then the database holds only a sealed secret, and codes still work", async () => {
    const { services, database, clock } = context();
    const { session } = await signedIn("totp");
    const setup = await services.identity.setUpTwoFactor(session);
    const stored = await database.db
      .selectFrom("accounts")
      .select("totp_secret")
      .where("id", "=", session.accountId)
      .executeTakeFirstOrThrow();
    assert.match(stored.totp_secret ?? "", /^zqs1:[A-Za-z0-9_-]+$/);
    assert.ok(!stored.totp_secret?.includes(setup.secret));
    await services.identity.enableTwoFactor(session, codeFor(setup.secret, clock.now()));
    clock.advance(30);
    const login = { email: address("totp"), password: PASSWORD, ipAddress: null, userAgent: null };
    await assert.rejects(services.identity.login({ ...login, totp: "000000" }), {
      code: "IDENTITY.INVALID_TWO_FACTOR_CODE",
    });
    await services.identity.login({ ...login, totp: codeFor(setup.secret, clock.now()) });
  });

  test("when a plain secret is left from an older version, then it still signs in and start-up seals it", async () => {
    const { services, database, clock } = context();
    const { session } = await signedIn("legacy");
    const seed = new Secret({ size: 20 }).base32;
    await database.db
      .updateTable("accounts")
      .set({ totp_secret: seed, totp_enabled_at: clock.now().toISOString() })
      .where("id", "=", session.accountId)
      .execute();
    clock.advance(60);
    const login = { email: address("legacy"), password: PASSWORD, ipAddress: null, userAgent: null };
    await services.identity.login({ ...login, totp: codeFor(seed, clock.now()) });

    assert.ok((await services.identity.sealPlainTotpSecrets()) >= 1);
    assert.equal(await services.identity.sealPlainTotpSecrets(), 0, "nothing left to seal");
    const stored = await database.db
      .selectFrom("accounts")
      .select("totp_secret")
      .where("id", "=", session.accountId)
      .executeTakeFirstOrThrow();
    assert.match(stored.totp_secret ?? "", /^zqs1:/);
    clock.advance(60);
    await services.identity.login({ ...login, totp: codeFor(seed, clock.now()) });
  });

  test("when one API key is used again and again, then each address is logged once an hour, with its place", async () => {
    const { services, clock } = context();
    const { session } = await signedIn("api");
    const accountId = session.accountId;
    const use = { accountId, apiKeyId: "key-1", ipAddress: "8.8.8.8", userAgent: "curl/8.5.0" };
    assert.equal(await services.identity.recordApiUse(use), true);
    assert.equal(await services.identity.recordApiUse(use), false);
    clock.advance(59 * 60);
    assert.equal(await services.identity.recordApiUse(use), false, "within the hour");
    assert.equal(
      await services.identity.recordApiUse({ ...use, ipAddress: "193.0.6.139" }),
      true,
      "another address",
    );
    assert.equal(await services.identity.recordApiUse({ ...use, apiKeyId: "key-2" }), true, "another key");
    clock.advance(61);
    assert.equal(await services.identity.recordApiUse(use), true, "an hour later");

    const activity = (await services.identity.listActivity(accountId)).filter((a) => a.event === "api-use");
    assert.deepEqual(activity.map((a) => [a.apiKeyId, a.ipAddress, a.country]).sort(), [
      ["key-1", "193.0.6.139", "NL"],
      ["key-1", "8.8.8.8", "US"],
      ["key-1", "8.8.8.8", "US"],
      ["key-2", "8.8.8.8", "US"],
    ]);
    assert.equal(activity.find((a) => a.ipAddress === "8.8.8.8")?.city, "Mountain View");
    assert.equal(activity[0]?.userAgent, "curl/8.5.0");
  });
});
