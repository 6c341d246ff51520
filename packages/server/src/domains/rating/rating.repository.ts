import { type Kysely, type Selectable, sql } from "kysely";
import { queryTemplate } from "../../db/query-template.ts";
import type { Database, RatePlanRatesTable, RatePlansTable } from "../../db/schema.ts";
import { type Executor, isPostgres, writeTransaction } from "../../db/write-transaction.ts";
import type { RatePlan, RetailRate } from "./rating.types.ts";

/** Read at every call's admission: built once (queryTemplate). */
const planOfAccountQuery = queryTemplate(1, (db, accountId: string) =>
  db
    .selectFrom("accounts")
    .leftJoin("rate_plans", "rate_plans.id", "accounts.plan_id")
    .select([
      "accounts.id as account_id",
      "rate_plans.id",
      "rate_plans.name",
      "rate_plans.currency",
      "rate_plans.onnet_price_per_minute",
      "rate_plans.inbound_price_per_minute",
      "rate_plans.revision",
      "rate_plans.created_at",
      "rate_plans.updated_at",
    ])
    .where("accounts.id", "=", accountId),
);

// Eight values a row: well inside SQLite's 32,766 and PostgreSQL's 65,535 parameters a statement.
const UPSERT_BATCH = 2_000;
const ARRAY_BATCH = 20_000;

function toPlan(row: Selectable<RatePlansTable>): RatePlan {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    onnetPricePerMinute: Number(row.onnet_price_per_minute),
    inboundPricePerMinute: Number(row.inbound_price_per_minute),
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRate(row: Selectable<RatePlanRatesTable>): RetailRate {
  return {
    prefix: row.prefix,
    effectiveFrom: row.effective_from,
    pricePerMinute: Number(row.price_per_minute),
    connectFee: Number(row.connect_fee),
    initialIncrement: row.initial_increment,
    subsequentIncrement: row.subsequent_increment,
    minimumCharge: Number(row.minimum_charge),
  };
}

/**
 * Rate plans and their rows; also the billing-owned `accounts.plan_id` column, which this domain
 * alone reads and writes.
 */
export class RatingRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work);
  }

  async findPlanByName(name: string, tx: Executor = this.db): Promise<RatePlan | undefined> {
    const row = await tx.selectFrom("rate_plans").selectAll().where("name", "=", name).executeTakeFirst();
    return row && toPlan(row);
  }

  async findPlanById(id: string, tx: Executor = this.db): Promise<RatePlan | undefined> {
    const row = await tx.selectFrom("rate_plans").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toPlan(row);
  }

  async listPlans(): Promise<RatePlan[]> {
    return (await this.db.selectFrom("rate_plans").selectAll().orderBy("name").execute()).map(toPlan);
  }

  async insertPlan(plan: RatePlan, tx: Executor = this.db): Promise<void> {
    await tx
      .insertInto("rate_plans")
      .values({
        id: plan.id,
        name: plan.name,
        currency: plan.currency,
        onnet_price_per_minute: plan.onnetPricePerMinute,
        inbound_price_per_minute: plan.inboundPricePerMinute,
        revision: plan.revision,
        created_at: plan.createdAt,
        updated_at: plan.updatedAt,
      })
      .execute();
  }

  /** Adds rows, replacing any stored row with the same prefix and effective_from (a correction). */
  async upsertRates(planId: string, rates: readonly RetailRate[], tx: Executor = this.db): Promise<void> {
    if (isPostgres(tx)) return this.upsertRatesByArrays(planId, rates, tx);
    for (let i = 0; i < rates.length; i += UPSERT_BATCH) {
      await tx
        .insertInto("rate_plan_rates")
        .values(
          rates.slice(i, i + UPSERT_BATCH).map((rate) => ({
            plan_id: planId,
            prefix: rate.prefix,
            effective_from: rate.effectiveFrom,
            price_per_minute: rate.pricePerMinute,
            connect_fee: rate.connectFee,
            initial_increment: rate.initialIncrement,
            subsequent_increment: rate.subsequentIncrement,
            minimum_charge: rate.minimumCharge,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["plan_id", "prefix", "effective_from"]).doUpdateSet((eb) => ({
            price_per_minute: eb.ref("excluded.price_per_minute"),
            connect_fee: eb.ref("excluded.connect_fee"),
            initial_increment: eb.ref("excluded.initial_increment"),
            subsequent_increment: eb.ref("excluded.subsequent_increment"),
            minimum_charge: eb.ref("excluded.minimum_charge"),
          })),
        )
        .execute();
    }
  }

  /**
   * PostgreSQL takes a column of values as one array parameter and `unnest`s it into rows: eight
   * parameters a statement instead of eight a row, several times faster for a whole deck.
   */
  private async upsertRatesByArrays(
    planId: string,
    rates: readonly RetailRate[],
    tx: Executor,
  ): Promise<void> {
    for (let i = 0; i < rates.length; i += ARRAY_BATCH) {
      const batch = rates.slice(i, i + ARRAY_BATCH);
      await sql`
        insert into rate_plan_rates (plan_id, prefix, effective_from, price_per_minute, connect_fee,
          initial_increment, subsequent_increment, minimum_charge)
        select ${planId}, * from unnest(
          ${batch.map((r) => r.prefix)}::text[],
          ${batch.map((r) => r.effectiveFrom)}::timestamptz[],
          ${batch.map((r) => r.pricePerMinute)}::bigint[],
          ${batch.map((r) => r.connectFee)}::bigint[],
          ${batch.map((r) => r.initialIncrement)}::integer[],
          ${batch.map((r) => r.subsequentIncrement)}::integer[],
          ${batch.map((r) => r.minimumCharge)}::bigint[])
        on conflict (plan_id, prefix, effective_from) do update set
          price_per_minute = excluded.price_per_minute,
          connect_fee = excluded.connect_fee,
          initial_increment = excluded.initial_increment,
          subsequent_increment = excluded.subsequent_increment,
          minimum_charge = excluded.minimum_charge`.execute(tx);
    }
  }

  /** Marks the plan changed, so every node's cached rate table is rebuilt. */
  async touchPlan(planId: string, updatedAt: string, tx: Executor = this.db): Promise<void> {
    await tx
      .updateTable("rate_plans")
      .set((eb) => ({ revision: eb("revision", "+", 1), updated_at: updatedAt }))
      .where("id", "=", planId)
      .execute();
  }

  async setPrices(
    planId: string,
    prices: { onnetPricePerMinute: number; inboundPricePerMinute: number },
    updatedAt: string,
  ): Promise<void> {
    await this.db
      .updateTable("rate_plans")
      .set((eb) => ({
        onnet_price_per_minute: prices.onnetPricePerMinute,
        inbound_price_per_minute: prices.inboundPricePerMinute,
        revision: eb("revision", "+", 1),
        updated_at: updatedAt,
      }))
      .where("id", "=", planId)
      .execute();
  }

  /** Every row of the plan, by prefix and then oldest first. */
  async rates(planId: string): Promise<RetailRate[]> {
    const rows = await this.db
      .selectFrom("rate_plan_rates")
      .selectAll()
      .where("plan_id", "=", planId)
      .orderBy("prefix")
      .orderBy("effective_from")
      .execute();
    return rows.map(toRate);
  }

  async assignPlan(accountId: string, planId: string): Promise<void> {
    await this.db.updateTable("accounts").set({ plan_id: planId }).where("id", "=", accountId).execute();
  }

  /** The plan an account is on: undefined for no such account, null for an account on no plan. */
  async planOfAccount(accountId: string): Promise<RatePlan | null | undefined> {
    const [row] = await planOfAccountQuery(this.db, accountId);
    if (!row) return undefined;
    if (row.id === null) return null;
    return toPlan(row as Selectable<RatePlansTable>);
  }
}
