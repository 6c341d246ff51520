import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { createTestDatabase, DIALECTS } from "../../db/testing/dialects.ts";
import { ManualClock } from "../../testing/test-services.ts";
import { INVENTORY } from "./inventory.ts";
import { RetentionRepository } from "./retention.repository.ts";
import { periodStart, RetentionService } from "./retention.service.ts";
import { planRetention } from "./retention-plan.ts";

/** Tables named at run time from the inventory. */
type AnyTables = Record<string, Record<string, unknown>>;

/** "now" of every test: 2026-11-30T12:00:00Z. */
const NOW = "2026-11-30T12:00:00.000Z";
const DAY = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(Date.parse(NOW) - days * DAY).toISOString();
const later = (days: number) => new Date(Date.parse(NOW) + days * DAY).toISOString();

/**
 * One customer per fate: `active` (open, with old and new data), `closed-recently` (closed last
 * month: credentials go, the rest stays for the accounting period) and `closed-long-ago` (closed
 * eight years ago: everything goes).
 */
async function seed(db: Kysely<Database>) {
  const account = (id: string, status: "active" | "closed", updatedAt: string) =>
    db
      .insertInto("accounts")
      .values({
        id,
        name: `Name of ${id}`,
        email: `${id}@example.test`,
        phone: "+15555550100",
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        status,
        country: "US",
        currency: "USD",
        created_at: "2017-01-01T00:00:00.000Z",
        updated_at: updatedAt,
        totp_secret: "JBSWY3DPEHPK3PXP",
      })
      .execute();
  await account("active", "active", ago(400));
  await account("closed-recently", "closed", ago(30));
  await account("closed-long-ago", "closed", ago(8 * 365));

  for (const id of ["active", "closed-recently", "closed-long-ago"]) {
    await db
      .insertInto("devices")
      .values({
        id: `device-${id}`,
        account_id: id,
        username: `user-${id}`,
        realm: "sip.test",
        ha1_md5: `md5-${id}`,
        ha1_sha256: `sha-${id}`,
        label: "desk phone",
        created_at: ago(3000),
      })
      .execute();
    await db
      .insertInto("api_keys")
      .values({
        id: `key-${id}`,
        account_id: id,
        name: "script",
        scope: "read",
        prefix: "zq_abc",
        secret_hash: `hash-${id}`,
        created_at: ago(3000),
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    await db
      .insertInto("balances")
      .values({ account_id: id, balance: 0, currency: "USD", updated_at: ago(3000) })
      .execute();
    await db
      .insertInto("ledger_entries")
      .values({
        account_id: id,
        kind: "topup",
        amount: 5_000_000,
        balance_after: 5_000_000,
        currency: "USD",
        reason: null,
        actor: "system",
        reference: `payment-${id}`,
        created_at: ago(3000),
      })
      .execute();
    await db
      .insertInto("consents")
      .values({
        id: `consent-${id}`,
        account_id: id,
        document: "terms",
        version: "2016-01-01",
        accepted_at: ago(3600),
      })
      .execute();
  }

  const cdr = (id: string, startedAt: string) =>
    db
      .insertInto("cdrs")
      .values({
        id,
        call_id: `${id}@192.0.2.10`,
        account_id: "active",
        device_id: "device-active",
        direction: "outbound",
        source: "+15555550100",
        destination: "+442079460958",
        started_at: startedAt,
        answered_at: startedAt,
        ended_at: startedAt,
        duration_seconds: 60,
        billed_seconds: 60,
        cost: 10_000,
        currency: "USD",
        carrier_id: null,
        sip_status: 200,
        hangup_by: "caller",
        node_id: "node-1",
        plan_id: null,
        rate_prefix: "4420794",
      })
      .execute();
  // The billing window is 13 months: calls before 2025-10-30T12:00Z are anonymised.
  await cdr("cdr-14-months", "2025-09-30T12:00:00.000Z");
  await cdr("cdr-13-months-and-a-minute", "2025-10-30T11:59:00.000Z");
  await cdr("cdr-12-months", "2025-11-30T12:00:00.000Z");
  await cdr("cdr-yesterday", ago(1));

  const logEntry = (id: string, createdAt: string) =>
    db
      .insertInto("connection_log")
      .values({
        id,
        account_id: "active",
        event: "sign-in",
        ip_address: "198.51.100.7",
        user_agent: "Firefox",
        country: "DE",
        city: "Berlin",
        created_at: createdAt,
      })
      .execute();
  await logEntry("log-91-days", ago(91));
  await logEntry("log-89-days", ago(89));

  const session = (id: string, expiresAt: string) =>
    db
      .insertInto("sessions")
      .values({
        id_hash: `hash-${id}`,
        public_id: id,
        account_id: "active",
        created_at: ago(1),
        last_seen_at: ago(1),
        authenticated_at: ago(1),
        expires_at: expiresAt,
        ip_address: "198.51.100.7",
        user_agent: "Firefox",
      })
      .execute();
  await session("session-expired", ago(0.01));
  await session("session-live", later(0.2));

  const token = (hash: string, expiresAt: string) =>
    db
      .insertInto("identity_tokens")
      .values({
        token_hash: hash,
        account_id: "active",
        purpose: "password-reset",
        new_email: null,
        expires_at: expiresAt,
        used_at: null,
        created_at: ago(3),
      })
      .execute();
  await token("token-expired-2-days", ago(2));
  await token("token-expired-an-hour", ago(1 / 24));

  await db
    .insertInto("mail_outbox")
    .values([
      { id: "mail-31-days", recipient: "active@example.test", subject: "s", body: "b", created_at: ago(31) },
      { id: "mail-29-days", recipient: "active@example.test", subject: "s", body: "b", created_at: ago(29) },
    ])
    .execute();
  await db
    .insertInto("login_throttle")
    .values([
      { key: "email:old", failures: 3, locked_until: null, updated_at: ago(2) },
      { key: "email:new", failures: 3, locked_until: null, updated_at: ago(0.5) },
    ])
    .execute();
}

/** Every row of every table the inventory names, to prove a dry run changed nothing. */
async function snapshot(db: Kysely<Database>) {
  const out: Record<string, unknown[]> = {};
  for (const table of Object.keys(INVENTORY)) {
    out[table] = await (db as Kysely<AnyTables>).selectFrom(table).selectAll().execute();
    out[table].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}

const rowsBy = (report: Awaited<ReturnType<RetentionService["run"]>>) =>
  Object.fromEntries(
    report.outcomes.filter((o) => o.rows > 0).map((o) => [`${o.table}:${o.action}`, o.rows]),
  );

const EXPECTED_COUNTS = {
  "accounts:clear": 2,
  "accounts:delete": 1,
  "api_keys:clear": 2,
  "api_keys:delete": 1,
  "balances:delete": 1,
  "cdrs:anonymise": 2,
  "connection_log:delete": 1,
  "consents:delete": 1,
  "devices:clear": 2,
  "devices:delete": 1,
  "identity_tokens:delete": 1,
  "ledger_entries:delete": 1,
  "login_throttle:delete": 1,
  "mail_outbox:delete": 1,
  "sessions:delete": 1,
};

test("when the shipped inventory is planned, then every table's retention rule is enforced", () => {
  assert.deepEqual(planRetention(INVENTORY).notEnforced, []);
});

test("when expired rows are deleted, then rows referring to others go first (request events before their requests)", () => {
  const tables = planRetention(INVENTORY)
    .steps.filter((s) => s.kind === "delete-expired")
    .map((s) => s.table);
  const events = tables.indexOf("privacy_request_events");
  assert.ok(events >= 0 && events < tables.indexOf("privacy_requests"), tables.join(" "));
});

test("when the billing window is 13 months, then it starts on the same day 13 calendar months back", () => {
  assert.equal(
    periodStart({ window: "billing" }, new Date(NOW), 13).toISOString(),
    "2025-10-30T12:00:00.000Z",
  );
  assert.equal(
    periodStart({ window: "billing" }, new Date("2026-03-31T00:00:00Z"), 1).toISOString(),
    "2026-02-28T00:00:00.000Z",
  );
});

for (const dialect of DIALECTS) {
  describe(`retention job [${dialect}]`, () => {
    const withSeededDatabase = async (
      body: (db: Kysely<Database>, service: RetentionService) => Promise<void>,
    ) => {
      const database = await createTestDatabase(dialect);
      try {
        await seed(database.db);
        const clock = new ManualClock(new Date(NOW));
        const service = new RetentionService({
          repository: new RetentionRepository(database.db),
          now: clock.now,
        });
        await body(database.db, service);
      } finally {
        await database.close();
      }
    };

    test("when run as a dry run, then it counts per dataset what it would do and changes nothing", async () => {
      await withSeededDatabase(async (db, service) => {
        const before = await snapshot(db);
        const report = await service.run({ dryRun: true });
        assert.equal(report.dryRun, true);
        assert.deepEqual(rowsBy(report), EXPECTED_COUNTS);
        assert.deepEqual(await snapshot(db), before);
      });
    });

    test("when run, then exactly the rows past their rule are deleted or anonymised and the rest stay as they were", async () => {
      await withSeededDatabase(async (db, service) => {
        const report = await service.run({ dryRun: false });
        assert.deepEqual(rowsBy(report), EXPECTED_COUNTS);
        assert.ok(report.outcomes.every((o) => o.failed === 0));

        const accounts = await db
          .selectFrom("accounts")
          .select(["id", "name", "password_hash", "totp_secret"])
          .orderBy("id")
          .execute();
        assert.deepEqual(
          accounts.map((a) => [a.id, a.name, a.password_hash !== null, a.totp_secret !== null]),
          [
            ["active", "Name of active", true, true],
            ["closed-recently", "Name of closed-recently", false, false],
          ],
        );
        for (const table of ["devices", "api_keys", "balances", "ledger_entries", "consents"] as const) {
          const owners = await (db as Kysely<AnyTables>)
            .selectFrom(table)
            .select("account_id")
            .orderBy("account_id")
            .execute();
          assert.deepEqual(
            owners.map((r) => r.account_id),
            ["active", "closed-recently"],
            `${table} keeps the rows of the open and the recently closed account`,
          );
        }
        const devices = await db
          .selectFrom("devices")
          .select(["account_id", "ha1_md5", "ha1_sha256", "label"])
          .orderBy("account_id")
          .execute();
        assert.deepEqual(devices[0], {
          account_id: "active",
          ha1_md5: "md5-active",
          ha1_sha256: "sha-active",
          label: "desk phone",
        });
        assert.match(
          devices[1]?.ha1_md5 ?? "",
          /^erased:[0-9a-f]{64}$/,
          "the closed account's phone can no longer sign in",
        );
        assert.match(devices[1]?.ha1_sha256 ?? "", /^erased:[0-9a-f]{64}$/);
        assert.notEqual(devices[1]?.ha1_md5, devices[1]?.ha1_sha256);
        const keys = await db
          .selectFrom("api_keys")
          .select(["account_id", "secret_hash"])
          .orderBy("account_id")
          .execute();
        assert.equal(keys[0]?.secret_hash, "hash-active");
        assert.match(keys[1]?.secret_hash ?? "", /^erased:/);

        const cdrs = await db
          .selectFrom("cdrs")
          .select([
            "id",
            "call_id",
            "account_id",
            "device_id",
            "source",
            "destination",
            "rate_prefix",
            "cost",
            "duration_seconds",
          ])
          .orderBy("started_at")
          .execute();
        assert.deepEqual(cdrs, [
          {
            id: "cdr-14-months",
            call_id: "anonymous-cdr-14-months",
            account_id: "anonymous",
            device_id: null,
            source: "+15555",
            destination: "+44207",
            rate_prefix: "44207",
            cost: 10_000,
            duration_seconds: 60,
          },
          {
            id: "cdr-13-months-and-a-minute",
            call_id: "anonymous-cdr-13-months-and-a-minute",
            account_id: "anonymous",
            device_id: null,
            source: "+15555",
            destination: "+44207",
            rate_prefix: "44207",
            cost: 10_000,
            duration_seconds: 60,
          },
          ...["cdr-12-months", "cdr-yesterday"].map((id) => ({
            id,
            call_id: `${id}@192.0.2.10`,
            account_id: "active",
            device_id: "device-active",
            source: "+15555550100",
            destination: "+442079460958",
            rate_prefix: "4420794",
            cost: 10_000,
            duration_seconds: 60,
          })),
        ]);

        const ids = async (table: string, column: string) =>
          (await (db as Kysely<AnyTables>).selectFrom(table).select(column).orderBy(column).execute()).map(
            (r) => r[column],
          );
        assert.deepEqual(await ids("connection_log", "id"), ["log-89-days"]);
        assert.deepEqual(await ids("sessions", "public_id"), ["session-live"]);
        assert.deepEqual(await ids("identity_tokens", "token_hash"), ["token-expired-an-hour"]);
        assert.deepEqual(await ids("mail_outbox", "id"), ["mail-29-days"]);
        assert.deepEqual(await ids("login_throttle", "key"), ["email:new"]);
      });
    });

    test("when run twice, then the second run finds nothing left to do", async () => {
      await withSeededDatabase(async (db, service) => {
        await service.run({ dryRun: false });
        const after = await snapshot(db);
        const second = await service.run({ dryRun: false });
        assert.deepEqual(rowsBy(second), {});
        assert.deepEqual(await snapshot(db), after);
      });
    });
  });
}
