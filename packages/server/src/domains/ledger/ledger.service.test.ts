import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";

const code = (expected: string) => (e: unknown) => e instanceof DomainError && e.code === expected;

forEachDialectWithServices("ledger", (ctx) => {
  const newAccount = async (email: string) =>
    (await ctx().services.accounts.create({ name: "Ledgered", email })).id;

  test("when entries are posted, then each carries the balance after it and the balance moves with them", async () => {
    const { services } = ctx();
    const account = await newAccount("entries@example.com");
    assert.deepEqual(await services.ledger.balance(account), {
      accountId: account,
      balance: 0,
      currency: "USD",
    });
    await services.ledger.post({
      accountId: account,
      kind: "topup",
      amount: 10_000_000,
      actor: "paypal",
      reference: "PAY-1",
    });
    await services.ledger.credit(account, "-2.5", { reason: "Goodwill reversed", actor: "cli:ops" });
    await services.ledger.post({
      accountId: account,
      kind: "call_charge",
      amount: -1_552,
      actor: "system",
      reference: "cdr-1",
    });
    const entries = await services.ledger.entries(account);
    assert.deepEqual(
      entries.map((e) => [e.kind, e.amount, e.balanceAfter, e.actor]),
      [
        ["call_charge", -1_552, 7_498_448, "system"],
        ["adjustment", -2_500_000, 7_500_000, "cli:ops"],
        ["topup", 10_000_000, 10_000_000, "paypal"],
      ],
    );
    assert.equal((await services.ledger.balance(account)).balance, 7_498_448);
    const older = await services.ledger.entries(account, { limit: 1, beforeId: entries[0]?.id });
    assert.equal(older[0]?.kind, "adjustment", "pages go on from the last id seen");
  });

  test("when the same payment is posted twice, then the balance moves once", async () => {
    const { services } = ctx();
    const account = await newAccount("twice@example.com");
    const first = await services.ledger.post({
      accountId: account,
      kind: "topup",
      amount: 5_000_000,
      actor: "paypal",
      reference: "PAY-2",
    });
    const second = await services.ledger.post({
      accountId: account,
      kind: "topup",
      amount: 5_000_000,
      actor: "paypal",
      reference: "PAY-2",
    });
    assert.equal(first.duplicate, false);
    assert.equal(second.duplicate, true);
    assert.equal(second.entry.id, first.entry.id);
    assert.equal((await services.ledger.balance(account)).balance, 5_000_000);
  });

  test("when many entries are posted at once, then they chain their balances and a repeated reference counts once", async () => {
    const { services } = ctx();
    const a = await newAccount("many-a@example.com");
    const b = await newAccount("many-b@example.com");
    const posted = await services.ledger.postMany([
      { accountId: a, kind: "topup", amount: 5_000_000, actor: "paypal", reference: "PAY-M1" },
      { accountId: b, kind: "topup", amount: 1_000_000, actor: "paypal", reference: "PAY-M2" },
      { accountId: a, kind: "call_charge", amount: -1_000, actor: "system", reference: "cdr-m1" },
      { accountId: a, kind: "topup", amount: 5_000_000, actor: "paypal", reference: "PAY-M1" },
      { accountId: a, kind: "call_charge", amount: -2_000, actor: "system", reference: "cdr-m2" },
    ]);
    assert.deepEqual(
      posted.map((p) => [p.entry.accountId === a ? "a" : "b", p.entry.balanceAfter, p.duplicate]),
      [
        ["a", 5_000_000, false],
        ["b", 1_000_000, false],
        ["a", 4_999_000, false],
        ["a", 5_000_000, true],
        ["a", 4_997_000, false],
      ],
    );
    assert.equal(posted[3]?.entry.id, posted[0]?.entry.id);
    assert.equal((await services.ledger.balance(a)).balance, 4_997_000);
    assert.equal((await services.ledger.balance(b)).balance, 1_000_000);
  });

  test("when an entry is reversed, then the balance returns and a second reversal changes nothing", async () => {
    const { services } = ctx();
    const account = await newAccount("reverse@example.com");
    const { entry } = await services.ledger.credit(account, "3", { reason: "Promotion", actor: "cli:ops" });
    await services.ledger.reverse(entry.id, { reason: "Entered twice", actor: "cli:ops" });
    const again = await services.ledger.reverse(entry.id, { reason: "Entered twice", actor: "cli:ops" });
    assert.equal(again.duplicate, true);
    assert.equal((await services.ledger.balance(account)).balance, 0);
    await assert.rejects(
      services.ledger.reverse(999_999, { reason: "x", actor: "cli:ops" }),
      code("LEDGER.ENTRY_NOT_FOUND"),
    );
  });

  test("when an entry is wrong, then it is refused and the balance does not move", async () => {
    const { services } = ctx();
    const account = await newAccount("refused@example.com");
    await assert.rejects(
      services.ledger.credit(account, "1,5", { reason: "x", actor: "cli:ops" }),
      code("LEDGER.INVALID_AMOUNT"),
    );
    await assert.rejects(
      services.ledger.credit(account, "0", { reason: "x", actor: "cli:ops" }),
      code("LEDGER.INVALID_AMOUNT"),
    );
    await assert.rejects(
      services.ledger.credit(account, "5", { reason: " ", actor: "cli:ops" }),
      code("LEDGER.INVALID_ENTRY"),
    );
    await assert.rejects(
      services.ledger.post({ accountId: account, kind: "topup", amount: 1, actor: "x", currency: "EUR" }),
      code("LEDGER.CURRENCY_MISMATCH"),
    );
    await assert.rejects(
      services.ledger.credit("00000000-0000-0000-0000-000000000000", "5", { reason: "x", actor: "cli:ops" }),
      code("ACCOUNT.NOT_FOUND"),
    );
    assert.equal((await services.ledger.balance(account)).balance, 0);
    assert.deepEqual(await services.ledger.entries(account), []);
  });

  test("when the balance falls below the account's threshold, then one warning is recorded for the crossing", async () => {
    const { services } = ctx();
    const account = await newAccount("low@example.com");
    await services.ledger.setLowBalanceThreshold(account, 2_000_000);
    await services.ledger.credit(account, "5", { reason: "Start", actor: "cli:ops", kind: "topup" });
    await services.ledger.credit(account, "-2", { reason: "Use", actor: "cli:ops" });
    assert.deepEqual(await services.ledger.warningsOf(account), [], "3.00 is still above 2.00");
    const crossing = await services.ledger.credit(account, "-1.5", { reason: "Use", actor: "cli:ops" });
    await services.ledger.credit(account, "-0.5", { reason: "Use", actor: "cli:ops" });
    const warnings = await services.ledger.warningsOf(account);
    assert.deepEqual(
      warnings.map((w) => [w.threshold, w.balance, w.ledgerEntryId]),
      [[2_000_000, 1_500_000, crossing.entry.id]],
      "further falls below the threshold do not warn again",
    );
    const pending = (await services.ledger.pendingWarnings()).filter((w) => w.accountId === account);
    assert.equal(pending.length, 1);
    await services.ledger.markWarningNotified(warnings[0]?.id ?? "");
    assert.deepEqual(
      (await services.ledger.pendingWarnings()).filter((w) => w.accountId === account),
      [],
    );
    await services.ledger.credit(account, "10", { reason: "Refill", actor: "cli:ops", kind: "topup" });
    await services.ledger.credit(account, "-10", { reason: "Use", actor: "cli:ops" });
    assert.equal(
      (await services.ledger.warningsOf(account)).length,
      2,
      "a new crossing after a refill warns again",
    );
  });

  test("when balances agree with the ledger, then the check passes, and when one is tampered with, then it names it", async () => {
    const { services, database } = ctx();
    const account = await newAccount("tamper@example.com");
    const honest = await newAccount("honest@example.com");
    await services.ledger.credit(account, "7", { reason: "Start", actor: "cli:ops", kind: "topup" });
    await services.ledger.credit(honest, "1", { reason: "Start", actor: "cli:ops", kind: "topup" });
    const clean = await services.ledger.verifyBalances();
    assert.equal(clean.ok, true);
    assert.ok(clean.entriesChecked >= 2);

    await sql`update balances set balance = balance + 1000000 where account_id = ${account}`.execute(
      database.db,
    );
    const tampered = await services.ledger.verifyBalances();
    assert.equal(tampered.ok, false);
    assert.deepEqual(tampered.mismatches, [{ accountId: account, stored: 8_000_000, fromLedger: 7_000_000 }]);
    await sql`update balances set balance = balance - 1000000 where account_id = ${account}`.execute(
      database.db,
    );

    await sql`update ledger_entries set balance_after = 1 where account_id = ${honest}`.execute(database.db);
    const broken = await services.ledger.verifyBalances();
    assert.equal(broken.ok, false);
    assert.deepEqual(
      broken.brokenEntries.map((e) => [e.accountId, e.balanceAfter, e.expected]),
      [[honest, 1, 1_000_000]],
    );
    await sql`update ledger_entries set balance_after = 1000000 where account_id = ${honest}`.execute(
      database.db,
    );
  });
});
