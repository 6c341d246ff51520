import { randomUUID } from "node:crypto";
import type { AccountsService } from "../accounts/accounts.service.ts";
import { DomainError } from "../domain-error.ts";
import { ShortLivedCache } from "../short-lived-cache.ts";
import { RateTable } from "./rate-table.ts";
import type { RatingErrorCode } from "./rating.errors.ts";
import type { RatingRepository } from "./rating.repository.ts";
import type {
  CallDirection,
  CallRate,
  DeckImportResult,
  RatePlan,
  RateQuery,
  RetailRate,
} from "./rating.types.ts";
import { formatRetailDeck, parseRetailDeck } from "./retail-deck-csv.ts";

export interface RatingServiceDeps {
  repository: RatingRepository;
  accounts: AccountsService;
  now?: () => Date;
  /**
   * How long rating reuses which plan an account is on (ms, default 1000). A plan changed or a
   * deck imported through this service applies to the next call; through another node, within
   * this time.
   */
  cacheMs?: number;
}

const fail = (code: RatingErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, message, details);

const PLAN_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$/;
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

/** On-net and inbound prices are per minute, billed by the second, with no fee or minimum. */
function flatRate(plan: RatePlan, pricePerMinute: number): CallRate {
  return {
    planId: plan.id,
    currency: plan.currency,
    prefix: null,
    pricePerMinute,
    connectFee: 0,
    initialIncrement: 1,
    subsequentIncrement: 1,
    minimumCharge: 0,
  };
}

/** Retail rate plans, their decks, and the price of a call. */
export class RatingService {
  private readonly now: () => Date;
  /** Rate tables by plan id, each valid for one revision of its plan. */
  private readonly tables = new Map<string, { revision: number; table: Promise<RateTable> }>();
  /** Each account's plan as read last (the plan's revision says whether its table is current). */
  private readonly plans: ShortLivedCache<string, RatePlan | null | undefined>;

  constructor(private readonly deps: RatingServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.plans = new ShortLivedCache({ ttlMs: deps.cacheMs ?? 1000 });
  }

  /**
   * Adds a CSV deck's rows to a plan, making the plan (in `currency`, default USD) when the name
   * is new. A row with the prefix and effective_from of a stored row replaces it; other stored
   * rows stay, so history is kept for rerating. One bad row and nothing changes.
   */
  async importDeck(
    planName: string,
    csv: string,
    options: { currency?: string } = {},
  ): Promise<DeckImportResult> {
    const name = checkPlanName(planName);
    const currency = options.currency?.toUpperCase();
    if (currency !== undefined && !CURRENCIES.has(currency)) {
      throw fail("RATING.INVALID_PLAN", `Unknown currency ${currency}.`, { field: "currency" });
    }
    const rates = parseRetailDeck(csv);
    const at = this.now().toISOString();
    const result = await this.deps.repository.transaction(async (tx) => {
      let plan = await this.deps.repository.findPlanByName(name, tx);
      const created = plan === undefined;
      if (!plan) {
        plan = {
          id: randomUUID(),
          name,
          currency: currency ?? "USD",
          onnetPricePerMinute: 0,
          inboundPricePerMinute: 0,
          revision: 0,
          createdAt: at,
          updatedAt: at,
        };
        await this.deps.repository.insertPlan(plan, tx);
      } else if (currency !== undefined && currency !== plan.currency) {
        throw fail("RATING.CURRENCY_MISMATCH", `Plan ${name} is in ${plan.currency}, not ${currency}.`);
      }
      await this.deps.repository.upsertRates(plan.id, rates, tx);
      await this.deps.repository.touchPlan(plan.id, at, tx);
      return { planId: plan.id, created, imported: rates.length };
    });
    this.tables.delete(result.planId);
    this.plans.clear();
    return result;
  }

  /** The plan's deck as CSV in the import format, every row including those not yet or no longer in effect. */
  async exportDeck(planName: string): Promise<string> {
    const plan = await this.plan(planName);
    return formatRetailDeck(await this.deps.repository.rates(plan.id));
  }

  /** A plan by name or id. */
  async plan(nameOrId: string): Promise<RatePlan> {
    const plan =
      (await this.deps.repository.findPlanByName(nameOrId)) ??
      (await this.deps.repository.findPlanById(nameOrId));
    if (!plan) throw fail("RATING.PLAN_NOT_FOUND", `No rate plan ${nameOrId.slice(0, 100)}.`);
    return plan;
  }

  listPlans(): Promise<RatePlan[]> {
    return this.deps.repository.listPlans();
  }

  /** Sets the per-minute prices of on-net and inbound calls (micro-units; 0 = free). */
  async setPrices(
    planName: string,
    prices: { onnetPricePerMinute?: number; inboundPricePerMinute?: number },
  ): Promise<RatePlan> {
    const plan = await this.plan(planName);
    const next = {
      onnetPricePerMinute: prices.onnetPricePerMinute ?? plan.onnetPricePerMinute,
      inboundPricePerMinute: prices.inboundPricePerMinute ?? plan.inboundPricePerMinute,
    };
    for (const [field, value] of Object.entries(next)) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw fail("RATING.INVALID_PLAN", `${field} must be a non-negative amount.`, { field });
      }
    }
    await this.deps.repository.setPrices(plan.id, next, this.now().toISOString());
    this.tables.delete(plan.id);
    this.plans.clear();
    return this.plan(plan.id);
  }

  /** Puts an account on a plan; the plan must be in the account's currency. */
  async assignPlan(accountId: string, planName: string): Promise<RatePlan> {
    const account = await this.deps.accounts.get(accountId);
    const plan = await this.plan(planName);
    if (plan.currency !== account.currency) {
      throw fail(
        "RATING.CURRENCY_MISMATCH",
        `Plan ${plan.name} is in ${plan.currency} but the account pays in ${account.currency}.`,
      );
    }
    await this.deps.repository.assignPlan(accountId, plan.id);
    this.plans.forget(accountId);
    return plan;
  }

  /** The plan an account's calls are rated by. */
  async planOf(accountId: string): Promise<RatePlan> {
    const plan = await this.plans.get(accountId, () => this.deps.repository.planOfAccount(accountId));
    if (plan === undefined) await this.deps.accounts.get(accountId);
    if (!plan) throw fail("RATING.NO_PLAN", "The account is on no rate plan.");
    return plan;
  }

  /** The rate a call of the account is charged by, from the deck rows in effect when it starts. */
  async rateCall(query: RateQuery): Promise<CallRate> {
    const plan = await this.planOf(query.accountId);
    return this.rateOnPlan(plan, query.direction, query.destination, query.at);
  }

  /** The rate on a given plan (by id), as rerating needs for calls made on it. */
  async rateOnPlanId(
    planId: string,
    direction: CallDirection,
    destination: string,
    at: Date,
  ): Promise<CallRate> {
    return this.rateOnPlan(await this.plan(planId), direction, destination, at);
  }

  /** The plan's rows in memory, built once per revision of the plan and shared by every call. */
  async rateTable(plan: RatePlan): Promise<RateTable> {
    const cached = this.tables.get(plan.id);
    // A table built from a later revision than the caller read is at least as current.
    if (cached && cached.revision >= plan.revision) return cached.table;
    const table = this.deps.repository.rates(plan.id).then((rates: RetailRate[]) => new RateTable(rates));
    this.tables.set(plan.id, { revision: plan.revision, table });
    table.catch(() => this.tables.delete(plan.id));
    return table;
  }

  private async rateOnPlan(
    plan: RatePlan,
    direction: CallDirection,
    destination: string,
    at: Date,
  ): Promise<CallRate> {
    if (direction === "onnet") return flatRate(plan, plan.onnetPricePerMinute);
    if (direction === "inbound") return flatRate(plan, plan.inboundPricePerMinute);
    const digits = destination.startsWith("+") ? destination.slice(1) : destination;
    const row = (await this.rateTable(plan)).lookup(digits, at.getTime());
    if (!row) {
      throw fail("RATING.NO_RATE", `Plan ${plan.name} has no price for ${destination.slice(0, 20)}.`);
    }
    return {
      planId: plan.id,
      currency: plan.currency,
      prefix: row.prefix,
      pricePerMinute: row.pricePerMinute,
      connectFee: row.connectFee,
      initialIncrement: row.initialIncrement,
      subsequentIncrement: row.subsequentIncrement,
      minimumCharge: row.minimumCharge,
    };
  }
}

function checkPlanName(raw: string): string {
  const name = raw.trim();
  if (!PLAN_NAME.test(name)) {
    throw fail(
      "RATING.INVALID_PLAN",
      "A plan name is 1 to 100 letters, digits, spaces, dots, dashes or underscores.",
      { field: "name" },
    );
  }
  return name;
}
