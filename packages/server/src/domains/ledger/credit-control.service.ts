import { type Executor, GroupCommit, isPostgres } from "../../db/write-transaction.ts";
import type { CdrService } from "../cdr/cdr.service.ts";
import type { Cdr } from "../cdr/cdr.types.ts";
import { newCdrId } from "../cdr/cdr-id.ts";
import { DomainError } from "../domain-error.ts";
import type { CallRate } from "../rating/rating.types.ts";
import {
  billedSeconds,
  chargeFor,
  costOfBilledSeconds,
  maxAffordableSeconds,
} from "../rating/retail-cost.ts";
import type { CallsInProgressRepository } from "./calls-in-progress.repository.ts";
import type { BillingErrorCode } from "./credit-control.errors.ts";
import type {
  Admission,
  Authorisation,
  CallInProgress,
  CallOutcome,
  Extension,
  FinishedCall,
} from "./credit-control.types.ts";
import type { LedgerService } from "./ledger.service.ts";

export interface CreditControlDeps {
  calls: CallsInProgressRepository;
  ledger: LedgerService;
  cdrs: CdrService;
  now?: () => Date;
  /** Talk time each reservation adds, rounded up to the rate's increments (default 60 s). */
  sliceSeconds?: number;
  /** No call lasts longer than this, whatever the credit (default 4 hours). */
  maxCallSeconds?: number;
}

/** A write of the call-state queue: a call's admission (its first credit hold) or its answer. */
type CallWrite =
  | { kind: "admission"; admission: Admission; at: string }
  | { kind: "answer"; callId: string; at: string };

const fail = (code: BillingErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, message, details);

/**
 * Real-time credit control. A call holds part of its account's balance in slices: enough for the
 * next minute or so at admission, more as it goes on. What calls in progress hold is taken off
 * what the next call may use, under the account's balance lock, so simultaneous calls never hold
 * more than the balance. Ending a call writes its one CDR and its charge in one transaction.
 *
 * Every change to a call in progress happens while its account's balance row is locked, and that
 * lock is always taken first, so two transactions never wait on each other in opposite order.
 */
export class CreditControlService {
  private readonly now: () => Date;
  private readonly sliceSeconds: number;
  private readonly maxCallSeconds: number;
  /**
   * Admissions and answers share one queue, so the writes of a busy node's calls share commits:
   * with a queue each, a thousand calls a second committed twice as often (the commit, not the
   * queries, is what a call costs SQLite).
   */
  private readonly writes: GroupCommit<CallWrite, Authorisation | undefined>;

  constructor(private readonly deps: CreditControlDeps) {
    this.now = deps.now ?? (() => new Date());
    this.sliceSeconds = deps.sliceSeconds ?? 60;
    this.maxCallSeconds = deps.maxCallSeconds ?? 4 * 3600;
    this.writes = new GroupCommit({
      transaction: (work) => this.deps.calls.transaction(work),
      // A call waits a few milliseconds for its credit hold or its answer to be written, batching
      // the writes of a busy node. Shorter than the finish batcher's wait: a call ended right after
      // its answer must find its answer written before its finish takes the row away.
      collectMs: 3,
      run: (write, tx) =>
        write.kind === "admission"
          ? this.authoriseIn(write.admission, write.at, tx)
          : this.answerIn(write.callId, write.at, tx),
      isRefusal: (error) => error instanceof DomainError,
      // PostgreSQL: every balance the batch's admissions read, locked at once in account order
      // (lockedBalances sorts); SQLite's write transaction holds the whole database already.
      before: async (writes, tx) => {
        if (!isPostgres(tx)) return;
        const accounts = writes.flatMap((w) => (w.kind === "admission" ? [w.admission.accountId] : []));
        if (accounts.length > 0) await this.deps.ledger.lockedBalances(accounts, tx);
      },
    });
  }

  /**
   * Admits a call: holds the first slice of credit and says how long it covers. Refused with
   * BILLING.INSUFFICIENT_FUNDS when the available credit does not pay for the first increment.
   */
  authorise(admission: Admission): Promise<Authorisation> {
    // An admission's write resolves with its authorisation (answers resolve with nothing).
    return this.writes.submit({
      kind: "admission",
      admission,
      at: this.now().toISOString(),
    }) as Promise<Authorisation>;
  }

  /** One admission inside a batch's transaction; refusals come before anything is written. */
  private async authoriseIn(admission: Admission, at: string, tx: Executor): Promise<Authorisation> {
    const available = await this.available(admission.accountId, admission.rate, tx);
    // A balance below zero (a refund or reversal after the credit was spent) stops every call the
    // account places, free or not, until it is topped up; a free incoming call still rings.
    const credit =
      isFree(admission.rate) && admission.direction === "inbound" ? Math.max(available, 0) : available;
    const maxSeconds = Math.min(maxAffordableSeconds(admission.rate, credit), this.maxCallSeconds);
    if (maxSeconds <= 0) {
      throw fail("BILLING.INSUFFICIENT_FUNDS", "Not enough credit for this call.", {
        available,
        firstIncrementCost: costOfBilledSeconds(admission.rate, admission.rate.initialIncrement),
      });
    }
    const coveredSeconds = Math.min(billedSeconds(admission.rate, this.sliceSeconds), maxSeconds);
    const reserved = costOfBilledSeconds(admission.rate, billedSeconds(admission.rate, coveredSeconds));
    const inserted = await this.deps.calls.insert(
      {
        callId: admission.callId,
        accountId: admission.accountId,
        nodeId: admission.nodeId,
        deviceId: admission.deviceId ?? null,
        direction: admission.direction,
        source: admission.source,
        destination: admission.destination,
        carrierId: admission.carrierId ?? null,
        rate: admission.rate,
        reserved,
        coveredSeconds,
        startedAt: at,
        answeredAt: null,
        lastHeartbeatAt: at,
      },
      tx,
    );
    if (!inserted) throw fail("BILLING.CALL_EXISTS", "That call is in progress already.");
    return { callId: admission.callId, coveredSeconds, reserved, maxSeconds };
  }

  /**
   * Holds the next slice of credit for a call, or as much of it as the available credit pays for.
   * When nothing more can be held, `extended` is false and the call must end at `coveredSeconds`.
   */
  async extend(callId: string): Promise<Extension> {
    const at = this.now().toISOString();
    const seen = await this.deps.calls.find(callId);
    if (!seen) throw fail("BILLING.CALL_NOT_FOUND", "No such call in progress.");
    return this.deps.calls.transaction(async (tx) => {
      const available = await this.available(seen.accountId, seen.rate, tx);
      const call = await this.deps.calls.find(callId, tx);
      if (!call) throw fail("BILLING.CALL_NOT_FOUND", "The call ended meanwhile.");
      // What this call may hold in all: the available credit plus what it holds already.
      const credit = isFree(call.rate) ? 0 : available + call.reserved;
      const affordable = Math.min(maxAffordableSeconds(call.rate, credit), this.maxCallSeconds);
      const wanted = billedSeconds(call.rate, call.coveredSeconds + this.sliceSeconds);
      const coveredSeconds = Math.min(wanted, affordable);
      if (coveredSeconds <= call.coveredSeconds) {
        return { callId, coveredSeconds: call.coveredSeconds, reserved: call.reserved, extended: false };
      }
      const reserved = costOfBilledSeconds(call.rate, billedSeconds(call.rate, coveredSeconds));
      await this.deps.calls.setReservation(callId, { reserved, coveredSeconds, at }, tx);
      return { callId, coveredSeconds, reserved, extended: true };
    });
  }

  /** One answer inside a batch's transaction. */
  private async answerIn(callId: string, at: string, tx: Executor): Promise<undefined> {
    if (!(await this.deps.calls.markAnswered(callId, at, tx))) {
      throw fail("BILLING.CALL_NOT_FOUND", "No such call in progress.");
    }
    return undefined;
  }

  /** Records the answer: talk time, and so the charge, runs from here. */
  markAnswered(callId: string, answeredAt: Date = this.now()): Promise<void> {
    return this.writes.submit({ kind: "answer", callId, at: answeredAt.toISOString() }).then(() => {});
  }

  /** Records that these calls are still alive; returns how many were found. */
  heartbeat(callIds: readonly string[]): Promise<number> {
    return this.deps.calls.heartbeat(callIds, this.now().toISOString());
  }

  /**
   * Ends a call: writes its CDR and its charge in one transaction and releases what it held. A
   * second finish of the same call writes nothing and returns the first CDR.
   */
  async finish(callId: string, outcome: CallOutcome): Promise<FinishedCall> {
    return (await this.finishMany([{ callId, outcome }]))[0] as FinishedCall;
  }

  /**
   * Ends many calls in one transaction: one CDR and one charge each, written together, as a
   * SIP node that batches its hang-ups does at high call rates. Results come in the order given;
   * a call finished before (or twice in the list) is returned with `written: false`.
   */
  async finishMany(calls: ReadonlyArray<{ callId: string; outcome: CallOutcome }>): Promise<FinishedCall[]> {
    const outcomes = new Map(calls.map((c) => [c.callId, c.outcome]));
    const seen = await this.deps.calls.findMany([...outcomes.keys()]);
    const written = new Map<string, Cdr>();
    if (seen.length > 0) {
      await this.deps.calls.transaction(async (tx) => {
        // Balances first, then the calls: the order every other change to a call takes its locks in.
        await this.deps.ledger.lockedBalances(
          seen.map((c) => c.accountId),
          tx,
        );
        const taken = await this.deps.calls.takeMany(
          seen.map((c) => c.callId),
          tx,
        );
        const cdrs = taken.map((call) => this.recordOf(call, outcomes.get(call.callId) as CallOutcome));
        await this.deps.cdrs.recordMany(cdrs, tx);
        const charges = cdrs.filter((cdr) => cdr.cost > 0);
        await this.deps.ledger.postMany(
          charges.map((cdr) => ({
            accountId: cdr.accountId,
            kind: "call_charge" as const,
            amount: -cdr.cost,
            currency: cdr.currency,
            actor: "system",
            reference: cdr.id,
          })),
          tx,
          { referencesAreNew: true },
        );
        for (const cdr of cdrs) written.set(cdr.callId, cdr);
      });
    }
    const results: FinishedCall[] = [];
    const reported = new Set<string>();
    for (const { callId } of calls) {
      const cdr = written.get(callId);
      results.push(cdr && !reported.has(callId) ? { cdr, written: true } : await this.finishedBefore(callId));
      reported.add(callId);
    }
    return results;
  }

  /**
   * Closes every call in progress of a node that stopped (on its restart, or seen dead by another
   * node): each is charged once, up to its last heartbeat, and given a CDR.
   */
  async recoverOrphans(nodeId: string): Promise<FinishedCall[]> {
    return this.recover(await this.deps.calls.listOrphans({ nodeId }));
  }

  /** Closes calls of any node whose heartbeat has been silent for `silentSeconds`. */
  async recoverSilent(silentSeconds: number): Promise<FinishedCall[]> {
    const silentSince = new Date(this.now().getTime() - silentSeconds * 1000).toISOString();
    return this.recover(await this.deps.calls.listOrphans({ silentSince }));
  }

  callsOf(accountId: string): Promise<CallInProgress[]> {
    return this.deps.calls.listByAccount(accountId);
  }

  /** The balance less what the account's calls in progress hold. */
  async availableCredit(accountId: string): Promise<number> {
    const balance = await this.deps.ledger.balance(accountId);
    return balance.balance - (await this.deps.calls.reservedBy(accountId));
  }

  private recover(calls: readonly CallInProgress[]): Promise<FinishedCall[]> {
    return this.finishMany(
      calls.map((call) => ({
        callId: call.callId,
        outcome: {
          endedAt: new Date(call.lastHeartbeatAt),
          sipStatus: call.answeredAt ? 200 : null,
          hangupBy: "system-recovery" as const,
        },
      })),
    );
  }

  /** Locks the account's balance and returns what is free of other calls' holds. */
  private async available(accountId: string, rate: CallRate, tx: Executor): Promise<number> {
    const balance = (await this.deps.ledger.lockedBalances([accountId], tx)).get(accountId);
    if (!balance) throw new DomainError("ACCOUNT.NOT_FOUND", "No such account.");
    if (balance.currency !== rate.currency) {
      throw fail(
        "BILLING.CURRENCY_MISMATCH",
        `The rate is in ${rate.currency} but the balance is in ${balance.currency}.`,
      );
    }
    return balance.balance - (await this.deps.calls.reservedBy(accountId, tx));
  }

  /** The call's record: talk time from answer to end in whole seconds, priced at its admission rate. */
  private recordOf(call: CallInProgress, outcome: CallOutcome): Cdr {
    const endedAt = outcome.endedAt ?? this.now();
    const answeredIso = outcome.answeredAt?.toISOString() ?? call.answeredAt;
    // To the nearest second: a BYE a few milliseconds after the credit ends is not an extra second.
    const durationSeconds = answeredIso
      ? Math.max(0, Math.round((endedAt.getTime() - Date.parse(answeredIso)) / 1000))
      : 0;
    const charge = chargeFor(call.rate, durationSeconds);
    return {
      id: newCdrId(endedAt.getTime()),
      callId: call.callId,
      accountId: call.accountId,
      deviceId: call.deviceId,
      direction: call.direction,
      source: call.source,
      destination: call.destination,
      startedAt: call.startedAt,
      answeredAt: answeredIso,
      endedAt: new Date(Math.max(endedAt.getTime(), Date.parse(call.startedAt))).toISOString(),
      durationSeconds,
      billedSeconds: charge.billedSeconds,
      cost: charge.cost,
      currency: call.rate.currency,
      carrierId: outcome.carrierId ?? call.carrierId,
      sipStatus: outcome.sipStatus,
      hangupBy: outcome.hangupBy,
      nodeId: call.nodeId,
      planId: call.rate.planId,
      ratePrefix: call.rate.prefix,
    };
  }

  private async finishedBefore(callId: string): Promise<FinishedCall> {
    const cdr = await this.deps.cdrs.byCallId(callId);
    if (!cdr) throw fail("BILLING.CALL_NOT_FOUND", "No such call, in progress or finished.");
    return { cdr, written: false };
  }
}

function isFree(rate: CallRate): boolean {
  return rate.pricePerMinute === 0 && rate.connectFee === 0 && rate.minimumCharge === 0;
}
