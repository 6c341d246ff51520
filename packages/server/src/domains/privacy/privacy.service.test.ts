import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { strFromU8, unzipSync } from "fflate";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import {
  SEED_PASSWORD,
  type SeededCustomer,
  seedCustomerInEveryDataset,
} from "../../testing/customer-in-every-dataset.ts";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";
import type { Manifest } from "./access-archive.ts";
import { DATASETS } from "./datasets.ts";
import type { ErasureResult } from "./privacy.types.ts";

const DAY = 86_400;

forEachDialectWithServices(
  "privacy rights",
  (context) => {
    const run = randomBytes(3).toString("hex");
    const address = (name: string) => `${name}-${run}@example.com`;
    const db = () => context().database.db as Kysely<Database>;
    const seed = (name: string) =>
      seedCustomerInEveryDataset(context().services, db(), context().clock, address(name));
    const mailTo = async (to: string) =>
      (await context().services.notify.listOutbox(1000)).filter((m) => m.to === to);
    const count = async (table: string, column: string, value: string) => {
      const row = await (db() as unknown as Kysely<Record<string, Record<string, unknown>>>)
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .where(column, "=", value)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };

    test("when a customer asks for their data, then the ZIP holds a JSON and CSVs per dataset and a manifest, and never a secret", async () => {
      const { services } = context();
      const customer = await seed("export");
      const archive = await services.privacy.requestExport(customer.accountId);
      assert.equal(archive.status, "ready", "a normal account's archive is built at once");
      const { filename, bytes } = await services.privacy.downloadExport(customer.accountId, archive.id);
      assert.match(filename, /^zaqros-data-2026-11-30\.zip$/);
      const files = unzipSync(new Uint8Array(bytes));
      const text = (name: string) => strFromU8(files[name] as Uint8Array);
      const manifest = JSON.parse(text("manifest.json")) as Manifest;

      assert.deepEqual(
        manifest.datasets.map((d) => d.name),
        Object.keys(DATASETS),
        "every dataset is listed, in order",
      );
      for (const dataset of manifest.datasets) {
        assert.ok(dataset.purpose.length > 10, `${dataset.name} says why it is held`);
        assert.ok(dataset.recipients.length > 0, `${dataset.name} names its recipients`);
        assert.ok(dataset.source.length > 0, `${dataset.name} names its source`);
        if (dataset.name === "support") {
          assert.equal(dataset.status, "none held", "support messages do not exist yet");
          assert.deepEqual(dataset.files, []);
          continue;
        }
        assert.equal(dataset.status, "included", `${dataset.name} holds the customer's rows`);
        assert.ok(
          dataset.purposes.length > 0 && dataset.legalBases.length > 0 && dataset.retention.length > 0,
        );
        assert.ok(files[`${dataset.name}/${dataset.name}.json`], `${dataset.name}.json is in the archive`);
        for (const file of dataset.files) assert.ok(files[file], `${file} is in the archive`);
        assert.ok(
          dataset.files.some((f) => f.endsWith(".csv")),
          `${dataset.name} has a CSV`,
        );
      }
      assert.equal(files["account/recovery_codes.csv"], undefined, "a table of secrets only is not shipped");
      const accountManifest = manifest.datasets.find((d) => d.name === "account");
      assert.deepEqual(
        accountManifest?.tables
          .find((t) => t.table === "recovery_codes")
          ?.excludedColumns.map((c) => c.column),
        ["code_hash", "account_id", "used_at", "created_at"],
      );
      const account = JSON.parse(text("account/account.json"));
      assert.equal(account.tables.accounts[0].email, customer.email);
      assert.equal(account.tables.accounts[0].name, "Ada Lovelace");
      assert.equal(account.tables.accounts[0].password_hash, undefined);
      assert.equal(account.tables.numbers[0].e164, customer.number);
      const cdrCsv = text("cdrs/cdrs.csv").split("\n");
      assert.match(cdrCsv[0] as string, /^id,call_id,account_id,device_id,direction,source,destination,/);
      assert.ok(cdrCsv.some((line) => line.includes(customer.calledNumber)));
      const payments = JSON.parse(text("payments/payments.json"));
      assert.equal(payments.tables.payments[0].amount, 10_000_000);
      const consents = JSON.parse(text("consents/consents.json"));
      assert.deepEqual(consents.tables.consents.map((c: { document: string }) => c.document).sort(), [
        "privacy",
        "product-news-email",
        "terms",
      ]);
      const devicesManifest = manifest.datasets.find((d) => d.name === "devices");
      assert.deepEqual(
        devicesManifest?.tables[0]?.excludedColumns.map((c) => c.column),
        ["ha1_md5", "ha1_sha256"],
      );

      const everything = Object.values(files)
        .map((f) => strFromU8(f))
        .join("\n");
      for (const secret of [
        customer.passwordHash,
        customer.deviceHa1,
        customer.totpSecret,
        customer.apiKeySecretHash,
      ]) {
        assert.ok(secret.length > 10);
        assert.ok(!everything.includes(secret), "no secret or hash of one is exported");
      }
      const data = Object.entries(files)
        .filter(([name]) => name !== "manifest.json")
        .map(([, f]) => strFromU8(f))
        .join("\n");
      assert.ok(
        !/\b(password_hash|ha1_md5|ha1_sha256|totp_secret|secret_hash|token_hash|code_hash|id_hash)\b/.test(
          data,
        ),
        "no secret column appears in a data file",
      );
    });

    test("when an archive's download period ends or another customer asks for it, then it is refused", async () => {
      const { services, clock } = context();
      const owner = await seed("expiry");
      const archive = await services.privacy.requestExport(owner.accountId);
      const other = await seed("other");
      await assert.rejects(
        services.privacy.downloadExport(other.accountId, archive.id),
        code("PRIVACY.EXPORT_NOT_FOUND"),
      );
      clock.advance(services.privacy.options.exportTtlHours * 3600 + 1);
      await assert.rejects(
        services.privacy.downloadExport(owner.accountId, archive.id),
        code("PRIVACY.EXPORT_EXPIRED"),
      );
      assert.equal((await services.privacy.exportsOf(owner.accountId))[0]?.status, "expired");
      clock.advance(-(services.privacy.options.exportTtlHours * 3600 + 1));
    });

    test("when a customer erases their account, then every dataset is deleted or kept pseudonymised under its legal hold", async () => {
      const { services, clock } = context();
      const customer = await seed("erase");
      const archive = await services.privacy.requestExport(customer.accountId);
      const request = await services.privacy.requestErasure(customer.accountId);
      assert.equal(request.status, "cooling-off");
      assert.equal(request.executeAfter, new Date(clock.now().getTime() + 14 * DAY * 1000).toISOString());
      assert.match(request.history[0]?.note ?? "", /balance is -10\.00 USD/, "the unpaid balance is stated");

      clock.advance(13 * DAY);
      assert.equal((await services.privacy.runDue()).erased, 0, "nothing runs during the cooling-off period");
      clock.advance(DAY);
      assert.equal((await services.privacy.runDue()).erased, 1);

      const { accountId } = customer;
      // Deleted: the person's own data with no legal hold.
      for (const [table, column] of [
        ["devices", "account_id"],
        ["registrations", "account_id"],
        ["numbers", "account_id"],
        ["api_keys", "account_id"],
        ["sessions", "account_id"],
        ["connection_log", "account_id"],
        ["identity_tokens", "account_id"],
        ["recovery_codes", "account_id"],
        ["balance_warnings", "account_id"],
        ["privacy_exports", "account_id"],
        ["privacy_preferences", "account_id"],
        ["cdrs", "account_id"],
      ] as const) {
        assert.equal(
          await count(table, column, accountId),
          0,
          `${table} holds nothing linked to the account`,
        );
      }
      // Kept under a legal hold: billing and proof, with nothing that names the person.
      const account = await db()
        .selectFrom("accounts")
        .selectAll()
        .where("id", "=", accountId)
        .executeTakeFirstOrThrow();
      assert.equal(account.status, "closed");
      assert.notEqual(account.email, customer.email);
      assert.match(account.email, /^erased:erased-/);
      assert.match(account.name, /^erased:erased-/);
      assert.equal(account.phone, null);
      assert.equal(account.password_hash, null);
      assert.equal(account.totp_secret, null);
      assert.equal(await count("ledger_entries", "account_id", accountId), 2, "the ledger is kept");
      assert.equal(await count("balances", "account_id", accountId), 1);
      assert.equal(await count("payments", "account_id", accountId), 1, "payments are kept");
      assert.equal(await count("payment_events", "account_id", accountId), 1);
      assert.equal(await count("consents", "account_id", accountId), 3, "proof of consents is kept");
      assert.equal(
        await count("privacy_requests", "account_id", accountId),
        4, // restriction on and off, the access request, the erasure itself
        "the record of every request stays",
      );
      const cdr = await db()
        .selectFrom("cdrs")
        .selectAll()
        .where("id", "=", customer.cdrId)
        .executeTakeFirstOrThrow();
      assert.match(cdr.account_id, /^erased-/, "the account link is replaced by a pseudonym");
      assert.equal(cdr.destination, "+44207", "the other party's number is truncated");
      assert.equal(cdr.source, customer.number.slice(0, 5), "the caller's number is truncated");
      assert.equal(cdr.device_id, null);
      assert.equal(cdr.cost, 20_000_000, "the billing facts stay");
      const outbox = await mailTo(customer.email);
      assert.deepEqual(
        outbox.map((m) => m.subject),
        ["Your privacy request: your account and data were erased"],
        "earlier mail is gone; the erasure letter went out",
      );
      assert.match(
        outbox[0]?.text ?? "",
        /Call data records and calls in progress \(cdrs\): 1 record\(s\) kept until 2027-12-/,
      );
      assert.match(outbox[0]?.text ?? "", /Devices?|SIP devices[^\n]*deleted/);
      assert.match(outbox[0]?.text ?? "", /balance is -10\.00 USD/);
      assert.match(outbox[0]?.text ?? "", /data-protection authority/);

      const done = (await services.privacy.requestsOf(accountId)).find((r) => r.id === request.id);
      assert.equal(done?.status, "completed");
      const result = done?.result as ErasureResult;
      const outcome = Object.fromEntries(result.datasets.map((d) => [d.dataset, d.outcome]));
      assert.deepEqual(outcome, {
        account: "kept",
        devices: "deleted",
        registrations: "deleted",
        cdrs: "kept",
        ledger: "kept",
        payments: "kept",
        "connection-log": "deleted",
        support: "none held",
        emails: "deleted",
        consents: "kept",
        requests: "kept",
      });
      assert.equal(result.outstanding.unpaidBalance, true);

      await assert.rejects(
        services.identity.login({
          email: customer.email,
          password: SEED_PASSWORD,
          ipAddress: null,
          userAgent: null,
        }),
        code("IDENTITY.INVALID_CREDENTIALS"),
        "the account can no longer sign in",
      );
      assert.equal(await services.devices.credentials(customer.deviceUsername), undefined, "nor call");
      await assert.rejects(
        services.privacy.downloadExport(accountId, archive.id),
        code("PRIVACY.EXPORT_NOT_FOUND"),
      );
    });

    test("when two job runs race for one due erasure, then it runs once, one letter goes out and it can no longer be cancelled", async () => {
      const { services, clock } = context();
      const customer = await seed("race");
      const request = await services.privacy.requestErasure(customer.accountId);
      clock.advance(15 * DAY);
      const runs = await Promise.all([services.privacy.runDue(), services.privacy.runDue()]);
      assert.equal(runs[0].erased + runs[1].erased, 1);
      const letters = (await mailTo(customer.email)).filter((m) => /were erased/.test(m.subject));
      assert.equal(letters.length, 1);
      const done = (await services.privacy.requestsOf(customer.accountId)).find((r) => r.id === request.id);
      assert.equal(done?.status, "completed");
      assert.equal(done?.history.filter((h) => h.event === "completed").length, 1);
      await assert.rejects(
        services.privacy.cancelErasure(customer.accountId),
        code("PRIVACY.NO_PENDING_ERASURE"),
      );
    });

    test("when a top-up is held for review, then an erasure request states it and still goes ahead", async () => {
      const { services } = context();
      const customer = await seed("flagged");
      await (db() as unknown as Kysely<Record<string, Record<string, unknown>>>)
        .updateTable("payments")
        .set({ status: "flagged" })
        .where("account_id", "=", customer.accountId)
        .execute();
      const request = await services.privacy.requestErasure(customer.accountId);
      assert.equal(request.status, "cooling-off");
      assert.match(request.history[0]?.note ?? "", /1 payment\(s\) are under review or dispute/);
      const outstanding = await services.privacy.outstandingMatters(customer.accountId);
      assert.equal(outstanding.openDisputes, 1);
      await services.privacy.cancelErasure(customer.accountId);
    });

    test("when a customer cancels an erasure during the cooling-off period, then nothing is erased", async () => {
      const { services, clock } = context();
      const customer = await seed("cancel");
      await services.privacy.requestErasure(customer.accountId);
      await assert.rejects(
        services.privacy.requestErasure(customer.accountId),
        code("PRIVACY.ERASURE_PENDING"),
      );
      clock.advance(DAY);
      const cancelled = await services.privacy.cancelErasure(customer.accountId);
      assert.equal(cancelled.status, "cancelled");
      assert.deepEqual(
        cancelled.history.map((h) => [h.actor, h.event]),
        [
          ["customer", "received"],
          ["customer", "cancelled"],
        ],
      );
      clock.advance(30 * DAY);
      assert.equal((await services.privacy.runDue()).erased, 0);
      const account = await services.accounts.get(customer.accountId);
      assert.equal(account.email, customer.email);
      assert.equal(account.status, "active");
      assert.equal(await count("devices", "account_id", customer.accountId), 1);
      const subjects = (await mailTo(customer.email)).map((m) => m.subject);
      assert.ok(subjects.includes("Your privacy request: erasure of your account requested"));
      assert.ok(subjects.includes("Your privacy request: erasure cancelled"));
      await assert.rejects(
        services.privacy.cancelErasure(customer.accountId),
        code("PRIVACY.NO_PENDING_ERASURE"),
      );
      clock.advance(-31 * DAY);
    });

    test("when a customer restricts processing, then product news stops but security and service notices still go", async () => {
      const { services } = context();
      const customer = await seed("restrict");
      const account = { id: customer.accountId, email: customer.email };
      assert.equal(
        await services.notify.sendOptionalMail(account, "product-news-email", "News 1", "New routes."),
        true,
      );
      await services.privacy.setRestriction(customer.accountId, true);
      assert.equal(
        await services.notify.sendOptionalMail(account, "product-news-email", "News 2", "More routes."),
        false,
      );
      assert.deepEqual(
        await services.privacy.accountsExcludedFromAnalytics(),
        [customer.accountId]
          .filter(Boolean)
          .concat([])
          .filter((id) => id === customer.accountId),
      );
      await services.notify.sendSecurityNotice(customer.email, "A new sign-in to your account.");
      await services.notify.sendServiceNotice(
        customer.email,
        "outage",
        "calls to +44 delayed",
        "Calls to the UK may fail until 14:00 UTC.",
      );
      const subjects = (await mailTo(customer.email)).map((m) => m.subject);
      assert.ok(subjects.includes("News 1"));
      assert.ok(!subjects.includes("News 2"), "no optional mail under restriction");
      assert.ok(subjects.includes("Security notice from Zaqros"));
      assert.ok(subjects.includes("Service notice: calls to +44 delayed"));

      await services.privacy.setRestriction(customer.accountId, false);
      await services.privacy.setObjection(customer.accountId, true);
      assert.equal(
        await services.notify.sendOptionalMail(account, "product-news-email", "News 3", "x"),
        false,
        "objection stops it too",
      );
      await services.privacy.setObjection(customer.accountId, false);
      assert.equal(
        await services.notify.sendOptionalMail(account, "product-news-email", "News 4", "x"),
        true,
      );
      assert.deepEqual(await services.privacy.preferencesOf(customer.accountId), {
        restrictedAt: null,
        objectedAt: null,
      });
      const kinds = (await services.privacy.requestsOf(customer.accountId)).map(
        (r) => `${r.kind}:${r.status}`,
      );
      assert.equal(
        kinds.filter((k) => k === "restriction:completed").length,
        4,
        "each change is a request on record",
      );
    });

    test("when a customer withdraws a consent, then it takes effect at once and the ledger keeps both events with the words agreed to", async () => {
      const { services, clock } = context();
      const customer = await seed("consent");
      const account = { id: customer.accountId, email: customer.email };
      clock.advance(60);
      const ledger = await services.privacy.withdrawConsent(customer.accountId, "product-news-email");
      assert.equal(
        await services.notify.sendOptionalMail(account, "product-news-email", "After", "x"),
        false,
      );
      const entry = ledger.find((e) => e.purpose === "product-news-email");
      assert.equal(entry?.withdrawnAt, clock.now().toISOString());
      assert.equal(entry?.givenAt, new Date(clock.now().getTime() - 60_000).toISOString());
      assert.match(entry?.noticeText ?? "", /at most once a month/);
      assert.equal(entry?.version, "2026-11-30");
      await assert.rejects(
        services.privacy.withdrawConsent(customer.accountId, "product-news-email"),
        code("PRIVACY.NO_CONSENT"),
      );
      await assert.rejects(
        services.privacy.withdrawConsent(customer.accountId, "terms"),
        code("PRIVACY.NOT_WITHDRAWABLE"),
      );
      await assert.rejects(
        services.privacy.giveConsent(customer.accountId, "sell-my-data"),
        code("PRIVACY.UNKNOWN_PURPOSE"),
      );
      const again = await services.privacy.giveConsent(customer.accountId, "product-news-email");
      assert.equal(
        again.filter((e) => e.purpose === "product-news-email").length,
        2,
        "given, withdrawn, given again",
      );
      assert.equal(await services.notify.sendOptionalMail(account, "product-news-email", "Again", "x"), true);
    });

    test("when staff extend a request's deadline, then it is due three months after receipt and the customer is told why", async () => {
      const { services } = context();
      const customer = await seed("extend");
      const request = await services.privacy.requestRectification(
        customer.accountId,
        "My CDR of 1 Nov shows the wrong destination.",
      );
      const received = new Date(request.receivedAt);
      const monthsLater = (months: number) => {
        const at = new Date(received);
        at.setUTCMonth(at.getUTCMonth() + months);
        return at.toISOString();
      };
      assert.equal(request.dueAt, monthsLater(1), "one month from receipt");
      const listed = await services.privacy.listRequests({ kind: "rectification" });
      assert.ok(listed.some((r) => r.id === request.id && !r.overdue));
      const extended = await services.privacy.extendDeadline(
        request.id,
        "grace",
        "We need the carrier's own records to check it.",
      );
      assert.equal(extended.dueAt, monthsLater(3), "three months from receipt");
      assert.deepEqual(extended.history.at(-1)?.actor, "staff:grace");
      const notice = (await mailTo(customer.email)).find(
        (m) => m.subject === "Your privacy request: we need more time",
      );
      assert.ok(notice, "the customer is emailed");
      assert.match(notice.text, new RegExp(`new deadline is ${monthsLater(3).slice(0, 10)}`));
      assert.match(notice.text, /carrier's own records/);
      await assert.rejects(
        services.privacy.extendDeadline(request.id, "grace", "again"),
        code("PRIVACY.ALREADY_EXTENDED"),
      );
      const done = await services.privacy.completeRequest(request.id, "grace", "Destination corrected.");
      assert.equal(done.status, "completed");
      await assert.rejects(
        services.privacy.refuseRequest(request.id, "grace", "late"),
        code("PRIVACY.WRONG_STATE"),
      );
    });

    test("when staff confirm a report that an account is a child's, then it is suspended and erased", async () => {
      const { services } = context();
      const customer = await seed("child");
      await services.privacy.reportChild({
        accountEmail: customer.email.toUpperCase(),
        reporterEmail: address("parent"),
        details: "My son is 13.",
      });
      await services.privacy.reportChild({
        accountEmail: address("nobody"),
        reporterEmail: address("parent"),
      });
      const reports = (await services.privacy.listRequests({ kind: "child-report" })).filter(
        (r) => r.reporterEmail === address("parent"),
      );
      assert.equal(reports.length, 2);
      const report = reports.find((r) => r.accountId === customer.accountId);
      assert.equal(report?.status, "awaiting-confirmation");
      assert.equal(
        (await services.accounts.get(customer.accountId)).status,
        "active",
        "nothing happens before staff confirm",
      );
      const confirmed = await services.privacy.confirmChildReport(
        report?.id as string,
        "grace",
        "Checked with the parent.",
      );
      assert.equal(confirmed.status, "completed");
      assert.equal((await services.accounts.get(customer.accountId)).status, "closed");
      assert.equal(await count("devices", "account_id", customer.accountId), 0);
      assert.equal(await count("sessions", "account_id", customer.accountId), 0);
      const erasure = (await services.privacy.requestsOf(customer.accountId)).find(
        (r) => r.kind === "erasure",
      );
      assert.equal(erasure?.status, "completed");
      assert.ok((await mailTo(address("parent"))).some((m) => /was closed/.test(m.subject)));
      const unknown = reports.find((r) => r.accountId === null);
      await assert.rejects(
        services.privacy.confirmChildReport(unknown?.id as string, "grace", "x"),
        code("PRIVACY.WRONG_STATE"),
      );
    });
  },
  { privacy: { exportInlineRowLimit: 1_000 } },
);

forEachDialectWithServices(
  "privacy rights, large archives",
  (context) => {
    test("when an archive is large, then it is built in the background and the customer is mailed when it is ready", async () => {
      const { services, database, clock } = context();
      const customer: SeededCustomer = await seedCustomerInEveryDataset(
        services,
        database.db,
        clock,
        `big-${randomBytes(3).toString("hex")}@example.com`,
      );
      const started = await services.privacy.requestExport(customer.accountId);
      assert.equal(started.status, "building");
      await assert.rejects(
        services.privacy.downloadExport(customer.accountId, started.id),
        code("PRIVACY.EXPORT_NOT_READY"),
      );
      await services.privacy.settled();
      const [ready] = await services.privacy.exportsOf(customer.accountId);
      assert.equal(ready?.status, "ready");
      const mail = (await services.notify.listOutbox(100)).find(
        (m) => m.to === customer.email && /archive is ready/.test(m.subject),
      );
      assert.ok(mail, "a notification mail was sent");
      assert.match(mail.text, /\/privacy/);
      const { bytes } = await services.privacy.downloadExport(customer.accountId, started.id);
      assert.ok(unzipSync(new Uint8Array(bytes))["manifest.json"]);
    });
  },
  { privacy: { exportInlineRowLimit: 5 } },
);

function code(expected: string) {
  return (error: unknown) => {
    assert.ok(error instanceof DomainError, String(error));
    assert.equal(error.code, expected);
    return true;
  };
}
