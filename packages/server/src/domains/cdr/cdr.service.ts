import { randomUUID } from "node:crypto";
import type { Executor } from "../../db/write-transaction.ts";
import { DomainError } from "../domain-error.ts";
import type { LedgerService } from "../ledger/ledger.service.ts";
import { formatMicros } from "../money.ts";
import type { RatingService } from "../rating/rating.service.ts";
import { chargeFor } from "../rating/retail-cost.ts";
import type { CdrErrorCode } from "./cdr.errors.ts";
import type { CdrRepository } from "./cdr.repository.ts";
import type { Cdr, CdrPage, CdrQuery, RerateResult } from "./cdr.types.ts";
import { cdrCsvHeader, cdrCsvLine } from "./cdr-csv.ts";
import { decodeCdrCursor, encodeCdrCursor } from "./cdr-cursor.ts";

export interface CdrServiceDeps {
  repository: CdrRepository;
  rating: RatingService;
  ledger: LedgerService;
  now?: () => Date;
}

const fail = (code: CdrErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, message, details);

const DIRECTIONS = new Set(["outbound", "inbound", "onnet"]);
const EXPORT_PAGE = 1_000;

/** Call data records: writing them, reading them back by account and date, exporting and rerating. */
export class CdrService {
  private readonly now: () => Date;

  constructor(private readonly deps: CdrServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Writes one record, inside `tx` when given so it commits with its charge. */
  async record(cdr: Cdr, tx?: Executor): Promise<void> {
    checkRecord(cdr);
    await this.deps.repository.insert(cdr, tx);
  }

  /** Writes many records in one transaction: the batched path for high call rates. */
  async recordMany(cdrs: readonly Cdr[], tx?: Executor): Promise<void> {
    for (const cdr of cdrs) checkRecord(cdr);
    await this.deps.repository.insertMany(cdrs, tx);
  }

  byCallId(callId: string, tx?: Executor): Promise<Cdr | undefined> {
    return this.deps.repository.findByCallId(callId, tx);
  }

  /** One page of records started in [from, to), newest first unless `order` is "asc". */
  async list(
    query: CdrQuery & { cursor?: string | undefined; limit?: number; order?: "asc" | "desc" },
  ): Promise<CdrPage> {
    const range = checkRange(query);
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw fail("CDR.INVALID_QUERY", "The limit must be 1 to 1000.", { field: "limit" });
    }
    const items = await this.deps.repository.page({
      ...range,
      accountId: query.accountId,
      number: query.number,
      status: query.status,
      after: query.cursor === undefined ? undefined : decodeCdrCursor(query.cursor),
      limit,
      order: query.order ?? "desc",
    });
    const last = items[items.length - 1];
    return { items, nextCursor: items.length === limit && last ? encodeCdrCursor(last) : undefined };
  }

  /** Writes the matching records started in [from, to) as CSV, oldest first, page by page; returns how many. */
  async exportCsv(query: CdrQuery, write: (chunk: string) => unknown): Promise<number> {
    await write(cdrCsvHeader());
    let count = 0;
    for await (const page of this.pages(query)) {
      await write(page.map(cdrCsvLine).join(""));
      count += page.length;
    }
    return count;
  }

  /**
   * Recomputes the cost of every answered call started in [from, to) with the deck rows of its plan
   * in effect at its start (after a deck correction). Each call whose cost changes gets its new
   * cost and one ledger adjustment for the difference, in one transaction. Running it again finds
   * nothing to change; a run resumed under the same `runId` posts no adjustment twice.
   */
  async rerate(query: CdrQuery & { runId?: string; actor?: string }): Promise<RerateResult> {
    const runId = query.runId ?? randomUUID();
    const actor = query.actor ?? `rerate:${runId}`;
    const result: RerateResult = { runId, checked: 0, changed: 0, difference: 0, skipped: [] };
    for await (const page of this.pages(query)) {
      for (const cdr of page) {
        if (cdr.durationSeconds <= 0) continue;
        result.checked++;
        if (cdr.planId === null) {
          result.skipped.push({ cdrId: cdr.id, reason: "the call was rated on no plan" });
          continue;
        }
        try {
          const rate = await this.deps.rating.rateOnPlanId(
            cdr.planId,
            cdr.direction,
            cdr.destination,
            new Date(cdr.startedAt),
          );
          const charge = chargeFor(rate, cdr.durationSeconds);
          const difference = charge.cost - cdr.cost;
          if (difference === 0 && charge.billedSeconds === cdr.billedSeconds) continue;
          const applied = await this.deps.repository.transaction(async (tx) => {
            const updated = await this.deps.repository.updateCharge(
              cdr.id,
              { ...charge, ratePrefix: rate.prefix, expectedCost: cdr.cost },
              tx,
            );
            if (!updated || difference === 0) return updated;
            await this.deps.ledger.post(
              {
                accountId: cdr.accountId,
                kind: "adjustment",
                amount: -difference,
                currency: cdr.currency,
                reason: `Rerated call ${cdr.id} of ${cdr.startedAt}: ${formatMicros(cdr.cost)} became ${formatMicros(charge.cost)}`,
                actor,
                reference: `rerate:${runId}:${cdr.id}`,
              },
              tx,
            );
            return true;
          });
          if (applied && difference !== 0) {
            result.changed++;
            result.difference += difference;
          }
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          result.skipped.push({ cdrId: cdr.id, reason: error.message });
        }
      }
    }
    return result;
  }

  private async *pages(query: CdrQuery): AsyncGenerator<Cdr[]> {
    const range = checkRange(query);
    let after: { startedAt: string; id: string } | undefined;
    for (;;) {
      const page = await this.deps.repository.page({
        ...range,
        accountId: query.accountId,
        number: query.number,
        status: query.status,
        after,
        limit: EXPORT_PAGE,
        order: "asc",
      });
      if (page.length > 0) yield page;
      if (page.length < EXPORT_PAGE) return;
      const last = page[page.length - 1] as Cdr;
      after = { startedAt: last.startedAt, id: last.id };
    }
  }
}

function checkRange(query: CdrQuery): { from: string; to: string } {
  const from = query.from.getTime();
  const to = query.to.getTime();
  if (Number.isNaN(from) || Number.isNaN(to) || from >= to) {
    throw fail("CDR.INVALID_QUERY", "The range needs a start before its end.", { field: "from" });
  }
  return { from: query.from.toISOString(), to: query.to.toISOString() };
}

function checkRecord(cdr: Cdr): void {
  const bad = (field: string, problem: string) =>
    fail("CDR.INVALID_RECORD", `${field} ${problem}`, { field });
  if (!DIRECTIONS.has(cdr.direction)) throw bad("direction", "must be outbound, inbound or onnet");
  if (!Number.isSafeInteger(cdr.durationSeconds) || cdr.durationSeconds < 0)
    throw bad("durationSeconds", "must be a whole number of seconds");
  if (!Number.isSafeInteger(cdr.cost) || cdr.cost < 0) throw bad("cost", "must be non-negative micro-units");
  if (cdr.answeredAt === null && cdr.durationSeconds !== 0)
    throw bad("durationSeconds", "must be 0 for a call never answered");
  if (Date.parse(cdr.endedAt) < Date.parse(cdr.startedAt)) throw bad("endedAt", "must not precede startedAt");
}
