import { readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { type Command, InvalidArgumentError } from "commander";
import type { Config } from "../config/config.ts";
import { formatMicros, parseMicros } from "../domains/money.ts";
import { parseInstant } from "../domains/rating/instant.ts";
import { openServices, type Services } from "../main/compose.ts";
import { emit } from "./output.ts";

type Json = { json?: boolean };

async function withServices<T>(config: () => Config, work: (services: Services) => Promise<T>): Promise<T> {
  const { services, close } = await openServices(config());
  try {
    return await work(services);
  } finally {
    await close();
  }
}

/** Who is at the keyboard, for the ledger's actor column. */
function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli";
  }
}

function instant(name: string) {
  return (value: string) => {
    const parsed = parseInstant(value);
    if (!parsed)
      throw new InvalidArgumentError(`${name} must be a date (2026-12-01) or a date-time with a zone.`);
    return new Date(parsed);
  };
}

function price(name: string) {
  return (value: string) => {
    const micros = parseMicros(value);
    if (micros === undefined)
      throw new InvalidArgumentError(`${name} must be a non-negative decimal such as 0.01.`);
    return micros;
  };
}

/** Writes to stdout, waiting whenever the pipe is full so a large export never piles up in memory. */
function writeStdout(chunk: string): Promise<void> | undefined {
  if (process.stdout.write(chunk)) return undefined;
  return new Promise((resolve) => process.stdout.once("drain", () => resolve()));
}

/** Rate plans, balances, the ledger check, call records and rerating. */
export function registerBillingCommands(program: Command, config: () => Config): void {
  const rates = program.command("rates").description("Retail rate plans and their decks");
  rates
    .command("import <plan> <file>")
    .description(
      "Add a CSV deck to a plan, making the plan if new (prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment[,effective_from,minimum_charge])",
    )
    .option("--currency <code>", "currency of a new plan (default USD)")
    .option("--json", "machine-readable output")
    .action(async (plan: string, file: string, o: Json & { currency?: string }) => {
      const csv = readFileSync(file, "utf8");
      const result = await withServices(config, (s) =>
        s.rating.importDeck(plan, csv, { currency: o.currency }),
      );
      emit(
        Boolean(o.json),
        result,
        () => `${result.created ? "Created" : "Updated"} plan ${plan}: ${result.imported} rows imported.`,
      );
    });
  rates
    .command("export <plan> [file]")
    .description("Write the plan's deck as CSV, to the file or to stdout")
    .action(async (plan: string, file: string | undefined) => {
      const csv = await withServices(config, (s) => s.rating.exportDeck(plan));
      if (file) writeFileSync(file, csv);
      else await writeStdout(csv);
    });
  rates
    .command("prices <plan>")
    .description("Set the per-minute prices of on-net and inbound calls (0 = free)")
    .option("--onnet <price>", "per minute, between our own numbers", price("--onnet"))
    .option("--inbound <price>", "per minute, for calls coming in to a customer's number", price("--inbound"))
    .option("--json", "machine-readable output")
    .action(async (plan: string, o: Json & { onnet?: number; inbound?: number }) => {
      const updated = await withServices(config, (s) =>
        s.rating.setPrices(plan, { onnetPricePerMinute: o.onnet, inboundPricePerMinute: o.inbound }),
      );
      const view = {
        plan: updated.name,
        currency: updated.currency,
        onnet: formatMicros(updated.onnetPricePerMinute),
        inbound: formatMicros(updated.inboundPricePerMinute),
      };
      emit(
        Boolean(o.json),
        view,
        () => `${view.plan}: on-net ${view.onnet}, inbound ${view.inbound} ${view.currency} a minute.`,
      );
    });

  const account = program.commands.find((c) => c.name() === "account") ?? program.command("account");
  account
    .command("plan <accountId> <plan>")
    .description("Put an account on a rate plan")
    .option("--json", "machine-readable output")
    .action(async (accountId: string, plan: string, o: Json) => {
      const assigned = await withServices(config, (s) => s.rating.assignPlan(accountId, plan));
      emit(
        Boolean(o.json),
        { accountId, planId: assigned.id, plan: assigned.name },
        () => `Account ${accountId} is now on plan ${assigned.name}.`,
      );
    });
  account
    .command("credit <accountId> <amount>")
    .description("Credit (or, with a negative amount, debit) an account's balance through the ledger")
    .requiredOption("--reason <text>", "why, for the customer and auditors")
    .option("--kind <kind>", "adjustment, topup or refund", "adjustment")
    .option("--reference <ref>", "a payment or ticket id; the same reference is never applied twice")
    .option("--json", "machine-readable output")
    .action(
      async (
        accountId: string,
        amount: string,
        o: Json & { reason: string; kind: string; reference?: string },
      ) => {
        if (!["adjustment", "topup", "refund"].includes(o.kind)) {
          throw new Error(`--kind must be adjustment, topup or refund, not "${o.kind}"`);
        }
        const { entry, duplicate } = await withServices(config, (s) =>
          s.ledger.credit(accountId, amount, {
            reason: o.reason,
            actor: operator(),
            kind: o.kind as "adjustment" | "topup" | "refund",
            reference: o.reference,
          }),
        );
        const view = {
          entryId: entry.id,
          amount: formatMicros(entry.amount),
          balance: formatMicros(entry.balanceAfter),
          currency: entry.currency,
          duplicate,
        };
        emit(Boolean(o.json), view, () =>
          duplicate
            ? `Reference ${o.reference} was applied before (entry ${entry.id}); nothing changed.`
            : `Entry ${entry.id}: ${view.amount} ${view.currency}; the balance is now ${view.balance}.`,
        );
      },
    );
  account
    .command("balance <accountId>")
    .description("Show the balance and what calls in progress hold of it")
    .option("--json", "machine-readable output")
    .action(async (accountId: string, o: Json) => {
      const view = await withServices(config, async (s) => {
        const balance = await s.ledger.balance(accountId);
        const available = await s.creditControl.availableCredit(accountId);
        return {
          balance: formatMicros(balance.balance),
          available: formatMicros(available),
          currency: balance.currency,
        };
      });
      emit(
        Boolean(o.json),
        view,
        () => `Balance ${view.balance} ${view.currency} (${view.available} free of calls in progress).`,
      );
    });
  account
    .command("low-balance <accountId> <amount>")
    .description("Warn the customer when the balance falls below the amount ('off' for never)")
    .option("--json", "machine-readable output")
    .action(async (accountId: string, amount: string, o: Json) => {
      const threshold = amount === "off" ? null : parseMicros(amount);
      if (threshold === undefined)
        throw new Error(`the amount must be a decimal such as 2.50 or off, not "${amount}"`);
      await withServices(config, (s) => s.ledger.setLowBalanceThreshold(accountId, threshold));
      emit(
        Boolean(o.json),
        { accountId, threshold: threshold === null ? null : formatMicros(threshold) },
        () => (threshold === null ? "No low-balance warning." : `Warning below ${formatMicros(threshold)}.`),
      );
    });

  program
    .command("ledger")
    .description("The accounts ledger")
    .command("verify")
    .description("Recompute every balance from the ledger; exits 1 when any disagrees")
    .option("--json", "machine-readable output")
    .action(async (o: Json) => {
      const check = await withServices(config, (s) => s.ledger.verifyBalances());
      emit(Boolean(o.json), check, () =>
        [
          `${check.accountsChecked} balances and ${check.entriesChecked} entries checked.`,
          ...check.mismatches.map(
            (m) =>
              `  account ${m.accountId}: balance ${m.stored === null ? "missing" : formatMicros(m.stored)}, ledger says ${formatMicros(m.fromLedger)}`,
          ),
          ...check.brokenEntries.map(
            (e) =>
              `  entry ${e.entryId} (account ${e.accountId}): balance_after ${formatMicros(e.balanceAfter)}, should be ${formatMicros(e.expected)}`,
          ),
        ].join("\n"),
      );
      if (!check.ok) throw new Error("balances disagree with the ledger");
    });

  program
    .command("cdr")
    .description("Call data records")
    .command("export")
    .description("Write the records of calls started in [--from, --to) as CSV to stdout")
    .requiredOption("--from <instant>", "first day or instant (UTC)", instant("--from"))
    .requiredOption("--to <instant>", "day or instant the range ends before", instant("--to"))
    .option("--account <accountId>", "one account's calls only")
    .action(async (o: { from: Date; to: Date; account?: string }) => {
      await withServices(config, (s) =>
        s.cdrs.exportCsv({ from: o.from, to: o.to, accountId: o.account }, writeStdout),
      );
    });

  program
    .command("rerate")
    .description(
      "Reprice calls started in [--from, --to) with the deck rows in effect then; differences go to the ledger",
    )
    .requiredOption("--from <instant>", "first day or instant (UTC)", instant("--from"))
    .requiredOption("--to <instant>", "day or instant the range ends before", instant("--to"))
    .option("--run-id <id>", "name of the run; resuming a run under its name posts nothing twice")
    .option("--json", "machine-readable output")
    .action(async (o: Json & { from: Date; to: Date; runId?: string }) => {
      const result = await withServices(config, (s) =>
        s.cdrs.rerate({ from: o.from, to: o.to, runId: o.runId, actor: operator() }),
      );
      emit(Boolean(o.json), { ...result, difference: formatMicros(result.difference) }, () =>
        [
          `Run ${result.runId}: ${result.checked} answered calls checked, ${result.changed} repriced, difference ${formatMicros(result.difference)}.`,
          ...result.skipped.map((s) => `  skipped ${s.cdrId}: ${s.reason}`),
        ].join("\n"),
      );
    });
}
