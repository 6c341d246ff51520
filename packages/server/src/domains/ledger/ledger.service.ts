import { randomUUID } from "node:crypto";
import type { Executor } from "../../db/write-transaction.ts";
import type { AccountsService } from "../accounts/accounts.service.ts";
import { DomainError } from "../domain-error.ts";
import type { LedgerErrorCode } from "./ledger.errors.ts";
import type { LedgerRepository, LockedBalance } from "./ledger.repository.ts";
import type {
  Balance,
  BalanceCheck,
  BalanceWarning,
  LedgerEntry,
  LedgerEntryKind,
  NewLedgerEntry,
  PostedEntry,
} from "./ledger.types.ts";
import { parseSignedMicros } from "./signed-amount.ts";

export interface LedgerServiceDeps {
  repository: LedgerRepository;
  accounts: AccountsService;
  now?: () => Date;
}

const fail = (code: LedgerErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, message, details);

/** A billion currency units: far beyond any real entry, far below 2^53 micro-units. */
const MAX_AMOUNT = 1_000_000_000 * 1_000_000;

/**
 * The account ledger: every balance change is an append-only entry carrying the balance after it,
 * and the balance row is updated in the same transaction while it is locked.
 */
export class LedgerService {
  private readonly now: () => Date;

  constructor(private readonly deps: LedgerServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Appends an entry and moves the balance with it. Inside `tx` when given (so a charge commits with
   * its call record), else in a transaction of its own. With a reference, posting twice is harmless:
   * the second returns the first entry with `duplicate: true`.
   */
  async post(input: NewLedgerEntry, tx?: Executor): Promise<PostedEntry> {
    return (await this.postMany([input], tx))[0] as PostedEntry;
  }

  /**
   * Appends many entries, in order, in one transaction (`tx` when given): each account's balance is
   * locked once, every entry carries the balance after it, and each balance is written once. What
   * post() says of references holds for each entry, also between entries of the same call.
   */
  async postMany(
    inputs: readonly NewLedgerEntry[],
    tx?: Executor,
    options: { referencesAreNew?: boolean } = {},
  ): Promise<PostedEntry[]> {
    for (const input of inputs) checkEntry(input);
    if (inputs.length === 0) return [];
    const fresh = options.referencesAreNew ?? false;
    return tx
      ? this.postIn(tx, inputs, fresh)
      : this.deps.repository.transaction((own) => this.postIn(own, inputs, fresh));
  }

  /**
   * An operator's credit (positive) or debit (negative) given as a decimal string in the account's
   * currency, e.g. `zaqros account credit`.
   */
  async credit(
    accountId: string,
    amount: string,
    options: { reason: string; actor: string; kind?: LedgerEntryKind; reference?: string },
  ): Promise<PostedEntry> {
    const micros = parseSignedMicros(amount);
    if (micros === undefined) {
      throw fail(
        "LEDGER.INVALID_AMOUNT",
        `${amount.slice(0, 30)} is not a decimal amount such as 10.50 or -2.`,
      );
    }
    await this.deps.accounts.get(accountId);
    return this.post({
      accountId,
      kind: options.kind ?? "adjustment",
      amount: micros,
      reason: options.reason,
      actor: options.actor,
      reference: options.reference,
    });
  }

  /** Undoes an entry with an opposite one; an entry can be reversed once. */
  async reverse(entryId: number, options: { reason: string; actor: string }): Promise<PostedEntry> {
    const original = await this.deps.repository.findById(entryId);
    if (!original) throw fail("LEDGER.ENTRY_NOT_FOUND", `No ledger entry ${entryId}.`);
    return this.post({
      accountId: original.accountId,
      kind: "reversal",
      amount: -original.amount,
      reason: options.reason,
      actor: options.actor,
      reference: String(original.id),
    });
  }

  /** The account's balance; zero in its currency before its first entry. */
  async balance(accountId: string): Promise<Balance> {
    const kept = await this.deps.repository.balance(accountId);
    if (kept) return kept;
    const account = await this.deps.accounts.get(accountId);
    return { accountId, balance: 0, currency: account.currency };
  }

  /**
   * The balances inside a write transaction, locked until it ends: what credit control reads before
   * it reserves or charges. Accounts that do not exist are missing from the result.
   */
  lockedBalances(accountIds: readonly string[], tx: Executor): Promise<ReadonlyMap<string, Balance>> {
    return this.deps.repository.lockBalances(accountIds, this.now().toISOString(), tx);
  }

  /** Entries newest first; pass the last id seen as `beforeId` for the next page. */
  entries(accountId: string, options: { limit?: number; beforeId?: number } = {}): Promise<LedgerEntry[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    return this.deps.repository.entries(accountId, limit, options.beforeId);
  }

  /** Sets the balance below which a warning is recorded (micro-units), or null for none. */
  async setLowBalanceThreshold(accountId: string, threshold: number | null): Promise<void> {
    if (threshold !== null && (!Number.isSafeInteger(threshold) || threshold < 0 || threshold > MAX_AMOUNT)) {
      throw fail("LEDGER.INVALID_AMOUNT", "The threshold must be a non-negative amount.");
    }
    await this.deps.accounts.get(accountId);
    await this.deps.repository.setLowBalanceThreshold(accountId, threshold);
  }

  /** Warnings no notifier has sent yet, oldest first. */
  pendingWarnings(limit = 100): Promise<BalanceWarning[]> {
    return this.deps.repository.pendingWarnings(limit);
  }

  warningsOf(accountId: string): Promise<BalanceWarning[]> {
    return this.deps.repository.warningsOf(accountId);
  }

  markWarningNotified(id: string): Promise<void> {
    return this.deps.repository.markWarningNotified(id, this.now().toISOString());
  }

  /**
   * Recomputes every balance from the ledger and every entry's balance_after from the entries
   * before it, and reports each disagreement. `ok` means the kept balances can be trusted.
   */
  async verifyBalances(): Promise<BalanceCheck> {
    const { accounts, entries, mismatches } = await this.deps.repository.balanceMismatches();
    const brokenEntries = await this.deps.repository.brokenEntries(100);
    return {
      ok: mismatches.length === 0 && brokenEntries.length === 0,
      accountsChecked: accounts,
      entriesChecked: entries,
      mismatches,
      brokenEntries,
    };
  }

  /**
   * `referencesAreNew` skips looking for earlier entries with the same references, for references
   * minted in this very transaction (a new CDR's id); the unique index still refuses a repeat.
   */
  private async postIn(
    tx: Executor,
    inputs: readonly NewLedgerEntry[],
    referencesAreNew: boolean,
  ): Promise<PostedEntry[]> {
    const at = this.now().toISOString();
    const locked = await this.deps.repository.lockBalances(
      inputs.map((i) => i.accountId),
      at,
      tx,
    );
    // Looked up under the locks, so two posts of one reference cannot both pass.
    const earlier = new Map<string, LedgerEntry>();
    const kinds = referencesAreNew ? [] : new Set(inputs.filter((i) => i.reference).map((i) => i.kind));
    for (const kind of kinds) {
      const references = inputs
        .filter((i) => i.kind === kind && i.reference)
        .map((i) => i.reference as string);
      for (const entry of await this.deps.repository.findByReferences(kind, references, tx)) {
        earlier.set(`${entry.kind} ${entry.reference}`, entry);
      }
    }
    const running = new Map<string, number>();
    const fresh: Array<{ index: number; before: number; entry: Omit<LedgerEntry, "id"> }> = [];
    const repeats: Array<{ index: number; key: string }> = [];
    const inBatch = new Set<string>();
    for (const [index, input] of inputs.entries()) {
      const balance = locked.get(input.accountId);
      if (!balance) throw new DomainError("ACCOUNT.NOT_FOUND", "No such account.");
      const key = input.reference ? `${input.kind} ${input.reference}` : undefined;
      if (key && (earlier.has(key) || inBatch.has(key))) {
        repeats.push({ index, key });
        continue;
      }
      if (key) inBatch.add(key);
      if (input.currency !== undefined && input.currency !== balance.currency) {
        throw fail(
          "LEDGER.CURRENCY_MISMATCH",
          `The account's balance is in ${balance.currency}, not ${input.currency}.`,
        );
      }
      const before = running.get(input.accountId) ?? balance.balance;
      const balanceAfter = before + input.amount;
      running.set(input.accountId, balanceAfter);
      fresh.push({
        index,
        before,
        entry: {
          accountId: input.accountId,
          kind: input.kind,
          amount: input.amount,
          balanceAfter,
          currency: balance.currency,
          reason: input.reason?.trim() || null,
          actor: input.actor,
          reference: input.reference ?? null,
          createdAt: at,
        },
      });
    }
    const inserted = await this.deps.repository.insertEntries(
      fresh.map((f) => f.entry),
      tx,
    );
    await this.deps.repository.setBalances(running, at, tx);
    const warnings: BalanceWarning[] = [];
    const results: PostedEntry[] = new Array(inputs.length);
    for (const [n, { index, before }] of fresh.entries()) {
      const entry = inserted[n] as LedgerEntry;
      results[index] = { entry, duplicate: false };
      earlier.set(`${entry.kind} ${entry.reference}`, entry);
      const threshold = (locked.get(entry.accountId) as LockedBalance).lowBalanceThreshold;
      if (threshold !== null && before >= threshold && entry.balanceAfter < threshold) {
        warnings.push({
          id: randomUUID(),
          accountId: entry.accountId,
          threshold,
          balance: entry.balanceAfter,
          currency: entry.currency,
          ledgerEntryId: entry.id,
          createdAt: at,
          notifiedAt: null,
        });
      }
    }
    for (const { index, key } of repeats)
      results[index] = { entry: earlier.get(key) as LedgerEntry, duplicate: true };
    await this.deps.repository.insertWarnings(warnings, tx);
    return results;
  }
}

function checkEntry(input: NewLedgerEntry): void {
  if (!Number.isSafeInteger(input.amount) || input.amount === 0 || Math.abs(input.amount) > MAX_AMOUNT) {
    throw fail("LEDGER.INVALID_AMOUNT", "An entry moves a non-zero whole number of micro-units.");
  }
  if (!input.actor || input.actor.length > 200) {
    throw fail("LEDGER.INVALID_ENTRY", "An entry names who made it (1 to 200 characters).", {
      field: "actor",
    });
  }
  const manual = input.kind === "adjustment" || input.kind === "refund" || input.kind === "reversal";
  if (manual && !input.reason?.trim()) {
    throw fail("LEDGER.INVALID_ENTRY", `A ${input.kind} needs a reason.`, { field: "reason" });
  }
  if ((input.reason?.length ?? 0) > 500) {
    throw fail("LEDGER.INVALID_ENTRY", "A reason is at most 500 characters.", { field: "reason" });
  }
  if ((input.reference?.length ?? 0) > 200) {
    throw fail("LEDGER.INVALID_ENTRY", "A reference is at most 200 characters.", { field: "reference" });
  }
}
