import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema.ts";
import { DomainError } from "../domains/domain-error.ts";
import { CURRENT_LEGAL_VERSIONS } from "../domains/identity/legal-versions.ts";
import type { Services } from "../main/compose.ts";
import type { ManualClock } from "./test-services.ts";

export const SEED_PASSWORD = "correct horse battery staple";

/** What {@link seedCustomerInEveryDataset} made, so a test can look for it afterwards. */
export interface SeededCustomer {
  accountId: string;
  email: string;
  deviceUsername: string;
  deviceHa1: string;
  passwordHash: string;
  totpSecret: string;
  apiKeySecretHash: string;
  number: string;
  cdrId: string;
  calledNumber: string;
}

/**
 * A signed-up, signed-in customer with rows in every dataset of the access archive: account,
 * number, API key, device, registration, CDRs, ledger (ending negative), a low-balance warning,
 * a payment and its notification, consents, sessions and the connection log, mail, a request.
 * Made through the services where they offer it, and by plain inserts where rows come from
 * signalling or PayPal.
 */
export async function seedCustomerInEveryDataset(
  services: Services,
  db: Kysely<Database>,
  clock: ManualClock,
  email: string,
): Promise<SeededCustomer> {
  await services.identity.signUp({
    name: "Ada Lovelace",
    email,
    phone: "+14155550100",
    password: SEED_PASSWORD,
    confirmsAge16OrOver: true,
    acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
    acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
  });
  const account = await db
    .selectFrom("accounts")
    .selectAll()
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
  const accountId = account.id;
  await services.identity.login({
    email,
    password: SEED_PASSWORD,
    ipAddress: "192.0.2.10",
    userAgent: "SeedBrowser/1.0",
  });
  const totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
  await db.updateTable("accounts").set({ totp_secret: totpSecret }).where("id", "=", accountId).execute();
  await db
    .insertInto("recovery_codes")
    .values({
      code_hash: `rc-${randomUUID()}`,
      account_id: accountId,
      used_at: null,
      created_at: clock.now().toISOString(),
    })
    .execute();

  const number = await assignUnusedNumber(services, accountId);
  await services.apiKeys.create(accountId, { name: "seed key", scope: "read" });
  const apiKey = await db
    .selectFrom("api_keys")
    .select("secret_hash")
    .where("account_id", "=", accountId)
    .executeTakeFirstOrThrow();

  const device = await services.devices.provision(accountId, "desk phone");
  const deviceRow = await db
    .selectFrom("devices")
    .selectAll()
    .where("id", "=", device.id)
    .executeTakeFirstOrThrow();
  const at = clock.now().toISOString();
  await db
    .insertInto("registrations")
    .values({
      id: randomUUID(),
      device_id: device.id,
      account_id: accountId,
      contact_uri: `sip:${device.username}@198.51.100.7:5060`,
      source_transport: "udp",
      source_address: "198.51.100.7",
      source_port: 5060,
      connection_id: null,
      node_id: "node-a",
      call_id: randomUUID(),
      cseq: 1,
      q: 1,
      user_agent: "SeedPhone/2.0",
      expires_at: new Date(clock.now().getTime() + 3_600_000).toISOString(),
      created_at: at,
      updated_at: at,
    })
    .execute();

  await services.ledger.credit(accountId, "10", {
    reason: "seed top-up",
    actor: "test",
    kind: "topup",
    reference: `pay-${accountId}`,
  });
  const calledNumber = "+442079460123";
  const cdrId = `cdr-${randomUUID()}`;
  await db
    .insertInto("cdrs")
    .values({
      id: cdrId,
      call_id: `call-${randomUUID()}`,
      account_id: accountId,
      device_id: device.id,
      direction: "outbound",
      source: number,
      destination: calledNumber,
      started_at: at,
      answered_at: at,
      ended_at: at,
      duration_seconds: 60,
      billed_seconds: 60,
      cost: 20_000_000,
      currency: "USD",
      carrier_id: null,
      sip_status: 200,
      hangup_by: "caller",
      node_id: "node-a",
      plan_id: null,
      rate_prefix: "44",
    })
    .execute();
  // The call cost more than the balance: the account ends owing money.
  await services.ledger.credit(accountId, "-20", {
    reason: "call charge",
    actor: "system",
    kind: "call_charge",
    reference: cdrId,
  });
  const entry = await db
    .selectFrom("ledger_entries")
    .select("id")
    .where("account_id", "=", accountId)
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("balance_warnings")
    .values({
      id: randomUUID(),
      account_id: accountId,
      threshold: 1_000_000,
      balance: -10_000_000,
      currency: "USD",
      ledger_entry_id: entry.id,
      created_at: at,
      notified_at: null,
    })
    .execute();

  const paymentId = `pay-${accountId}`;
  const anyDb = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  await anyDb
    .insertInto("payments")
    .values({
      id: paymentId,
      account_id: accountId,
      order_id: `ORDER-${randomUUID()}`,
      capture_id: `CAPTURE-${randomUUID()}`,
      amount: 10_000_000,
      currency: "USD",
      status: "completed",
      refunded_amount: 0,
      created_at: at,
      updated_at: at,
      completed_at: at,
    })
    .execute();
  await anyDb
    .insertInto("payment_events")
    .values({
      event_id: `WH-${randomUUID()}`,
      payment_id: paymentId,
      account_id: accountId,
      event_type: "PAYMENT.CAPTURE.COMPLETED",
      resource_id: "CAPTURE",
      outcome: "credited",
      received_at: at,
    })
    .execute();

  await services.privacy.giveConsent(accountId, "product-news-email");
  await services.privacy.setRestriction(accountId, true);
  await services.privacy.setRestriction(accountId, false);
  return {
    accountId,
    email,
    deviceUsername: device.username,
    deviceHa1: deviceRow.ha1_sha256,
    passwordHash:
      account.password_hash ??
      (
        await db
          .selectFrom("accounts")
          .select("password_hash")
          .where("id", "=", accountId)
          .executeTakeFirstOrThrow()
      ).password_hash ??
      "",
    totpSecret,
    apiKeySecretHash: apiKey.secret_hash,
    number,
    cdrId,
    calledNumber,
  };
}

/**
 * Gives the account a random +1 415 555 number no other account in this database holds. A test
 * file seeds many customers into one database, so a random pick alone collides now and then.
 */
async function assignUnusedNumber(services: Services, accountId: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const number = `+1415555${String(1000 + Math.floor(Math.random() * 9000))}`;
    try {
      await services.numbers.assign(number, accountId);
      return number;
    } catch (error) {
      if (!(error instanceof DomainError && error.code === "NUMBER.TAKEN")) throw error;
    }
  }
  throw new Error("no unused +1415555 number found in 50 attempts");
}
