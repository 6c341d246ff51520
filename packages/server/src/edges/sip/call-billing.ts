import type { AccountsService } from "../../domains/accounts/accounts.service.ts";
import type { CdrService } from "../../domains/cdr/cdr.service.ts";
import type { HangupBy } from "../../domains/cdr/cdr.types.ts";
import { newCdrId } from "../../domains/cdr/cdr-id.ts";
import { DomainError } from "../../domains/domain-error.ts";
import type { CreditControlService } from "../../domains/ledger/credit-control.service.ts";
import { FinishBatcher } from "../../domains/ledger/finish-batcher.ts";
import type { RatingService } from "../../domains/rating/rating.service.ts";
import type { CallDirection } from "./admission/admission.types.ts";
import type { CreditDecision } from "./admission/admit-call.ts";
import type { CallRecord, HangupCause } from "./b2bua/call-record.ts";

const HANGUP_BY: Record<HangupCause, HangupBy> = {
  caller: "caller",
  callee: "callee",
  failed: "callee",
  "no-answer": "system-timeout",
  "system-credit": "system-credit",
  "system-media": "system-media",
  "system-shutdown": "system-error",
};

export interface CallBillingDeps {
  accounts: AccountsService;
  rating: RatingService;
  credit: CreditControlService;
  cdrs: CdrService;
  nodeId: string;
  now?: () => Date;
}

/**
 * Real-time charging for the SIP edge: prices a call and holds its first slice of credit at
 * admission, holds more while it lasts, and writes its one CDR and charge when it ends.
 */
export class CallBilling {
  private readonly now: () => Date;
  /** Call endings gathered for a few milliseconds and written in one transaction. */
  private readonly finishes: FinishBatcher;
  /** Answers not yet committed, by call: a call's end is written after its answer. */
  private readonly answering = new Map<string, Promise<void>>();

  constructor(private readonly deps: CallBillingDeps) {
    this.now = deps.now ?? (() => new Date());
    this.finishes = new FinishBatcher(deps.credit, { now: this.now });
  }

  /**
   * Prices the call and holds credit for its first slice; returns how long that slice lasts.
   * Calls into and between customers are free when the plan says so, and when the account has
   * no plan at all.
   */
  async authorise(call: {
    callId: string;
    accountId: string;
    deviceId: string | undefined;
    direction: CallDirection;
    source: string;
    destination: string;
  }): Promise<CreditDecision> {
    let rate: Awaited<ReturnType<RatingService["rateCall"]>>;
    try {
      rate = await this.deps.rating.rateCall({
        accountId: call.accountId,
        direction: call.direction,
        destination: call.destination,
        at: this.now(),
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === "RATING.NO_PLAN" && call.direction !== "outbound") {
        return { maxDurationSeconds: undefined, handle: undefined };
      }
      throw error;
    }
    const authorisation = await this.deps.credit.authorise({
      callId: call.callId,
      accountId: call.accountId,
      nodeId: this.deps.nodeId,
      direction: call.direction,
      source: call.source,
      destination: call.destination,
      rate,
      deviceId: call.deviceId,
    });
    return { maxDurationSeconds: authorisation.coveredSeconds, handle: call.callId };
  }

  answered(callId: string, at: Date): Promise<void> {
    const marked = this.deps.credit.markAnswered(callId, at);
    const settled = marked.then(
      () => {},
      () => {},
    );
    this.answering.set(callId, settled);
    void settled.then(() => {
      if (this.answering.get(callId) === settled) this.answering.delete(callId);
    });
    return marked;
  }

  /** Holds the next slice; the seconds from answer now covered, or undefined when no more credit could be held. */
  async extend(callId: string): Promise<number | undefined> {
    const extension = await this.deps.credit.extend(callId);
    return extension.extended ? extension.coveredSeconds : undefined;
  }

  heartbeat(callIds: readonly string[]): Promise<number> {
    return this.deps.credit.heartbeat(callIds);
  }

  /** Writes the call's CDR and charge (once). */
  async finish(record: CallRecord): Promise<void> {
    const handle = record.admission.creditHandle;
    if (handle) {
      const outcome = {
        answeredAt: record.answeredAt,
        endedAt: record.endedAt,
        sipStatus: record.finalStatus,
        hangupBy: HANGUP_BY[record.hangupCause],
        carrierId: record.carrierId,
      };
      await this.answering.get(handle);
      try {
        await this.finishes.finish(handle, outcome);
      } catch {
        // The batch it was in failed as a whole; alone, only its own fault can fail it.
        await this.deps.credit.finish(handle, outcome);
      }
      return;
    }
    await this.writeFreeCdr(record);
  }

  /**
   * Records a customer's call refused at admission (no credit, no route, a number that cannot be
   * called): every attempt leaves a CDR, at no cost.
   */
  async recordRefusal(attempt: {
    callId: string;
    accountId: string;
    deviceId: string;
    source: string;
    destination: string;
    sipStatus: number;
  }): Promise<void> {
    const account = await this.deps.accounts.get(attempt.accountId);
    const at = this.now().toISOString();
    await this.deps.cdrs.record({
      id: newCdrId(),
      callId: attempt.callId,
      accountId: attempt.accountId,
      deviceId: attempt.deviceId,
      direction: "outbound",
      source: account.callerId ?? attempt.source,
      destination: attempt.destination,
      startedAt: at,
      answeredAt: null,
      endedAt: at,
      durationSeconds: 0,
      billedSeconds: 0,
      cost: 0,
      currency: account.currency,
      carrierId: null,
      sipStatus: attempt.sipStatus,
      hangupBy: attempt.sipStatus === 402 ? "system-credit" : "system-error",
      nodeId: this.deps.nodeId,
      planId: null,
      ratePrefix: null,
    });
  }

  /** Closes calls this node left in progress when it died: charged once, up to their last heartbeat. */
  async recoverOrphans(): Promise<number> {
    return (await this.deps.credit.recoverOrphans(this.deps.nodeId)).length;
  }

  private async writeFreeCdr(record: CallRecord): Promise<void> {
    const a = record.admission;
    const account = await this.deps.accounts.get(a.billedAccountId);
    await this.deps.cdrs.record({
      id: newCdrId(),
      callId: record.id,
      accountId: a.billedAccountId,
      deviceId: a.caller.kind === "device" ? a.caller.deviceId : null,
      direction: a.direction,
      source: a.source,
      destination: a.destination,
      startedAt: record.startedAt.toISOString(),
      answeredAt: record.answeredAt?.toISOString() ?? null,
      endedAt: record.endedAt.toISOString(),
      durationSeconds: record.durationSeconds,
      billedSeconds: 0,
      cost: 0,
      currency: account.currency,
      carrierId: record.carrierId ?? null,
      sipStatus: record.finalStatus,
      hangupBy: HANGUP_BY[record.hangupCause],
      nodeId: this.deps.nodeId,
      planId: null,
      ratePrefix: null,
    });
  }
}
