import type { Kysely, Selectable, Updateable } from "kysely";
import type { Database, PaymentsTable } from "../../db/schema.ts";
import { type Executor, isPostgres, writeTransaction } from "../../db/write-transaction.ts";
import type { PaymentStatus, TopUp } from "./payments.types.ts";

function toTopUp(row: Selectable<PaymentsTable>): TopUp {
  return {
    id: row.id,
    accountId: row.account_id,
    orderId: row.order_id,
    captureId: row.capture_id,
    amount: Number(row.amount),
    currency: row.currency,
    status: row.status,
    refundedAmount: Number(row.refunded_amount),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}

export interface PaymentEvent {
  eventId: string;
  paymentId: string | null;
  accountId: string | null;
  eventType: string;
  resourceId: string | null;
  outcome: string;
  receivedAt: string;
}

/** Top-ups and the PayPal notifications about them. */
export class PaymentsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work);
  }

  async insert(topUp: TopUp, tx: Executor = this.db): Promise<void> {
    await tx
      .insertInto("payments")
      .values({
        id: topUp.id,
        account_id: topUp.accountId,
        order_id: topUp.orderId,
        capture_id: topUp.captureId,
        amount: topUp.amount,
        currency: topUp.currency,
        status: topUp.status,
        refunded_amount: topUp.refundedAmount,
        created_at: topUp.createdAt,
        updated_at: topUp.updatedAt,
        completed_at: topUp.completedAt,
      })
      .execute();
  }

  async update(id: string, patch: Updateable<PaymentsTable>, tx: Executor = this.db): Promise<void> {
    await tx.updateTable("payments").set(patch).where("id", "=", id).execute();
  }

  async findById(id: string, tx: Executor = this.db): Promise<TopUp | undefined> {
    const row = await tx.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toTopUp(row);
  }

  /**
   * The top-up found by one of its references, held until the transaction ends (`for update` on
   * PostgreSQL; SQLite's write transaction holds the whole database), so two deliveries of one
   * capture are handled one after the other.
   */
  async lock(
    by: { id?: string | undefined; orderId?: string | undefined; captureId?: string | undefined },
    tx: Executor,
  ): Promise<TopUp | undefined> {
    const key = by.id
      ? (["id", by.id] as const)
      : by.orderId
        ? (["order_id", by.orderId] as const)
        : by.captureId
          ? (["capture_id", by.captureId] as const)
          : undefined;
    if (!key) return undefined;
    const row = await tx
      .selectFrom("payments")
      .selectAll()
      .where(key[0], "=", key[1])
      .$if(isPostgres(tx), (q) => q.forUpdate())
      .executeTakeFirst();
    return row && toTopUp(row);
  }

  async listOfAccount(accountId: string, limit: number): Promise<TopUp[]> {
    const rows = await this.db
      .selectFrom("payments")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map(toTopUp);
  }

  async listByStatus(status: PaymentStatus, limit: number): Promise<TopUp[]> {
    const rows = await this.db
      .selectFrom("payments")
      .selectAll()
      .where("status", "=", status)
      .orderBy("created_at", "desc")
      .limit(limit)
      .execute();
    return rows.map(toTopUp);
  }

  /**
   * What counts against the account's daily limit since `dayStart`: every top-up that was or may
   * still be paid, with unapproved ones only while their approval could still come (`openSince`).
   */
  async committedSince(
    accountId: string,
    dayStart: string,
    openSince: string,
    tx: Executor,
  ): Promise<number> {
    const rows = await tx
      .selectFrom("payments")
      .select(["amount", "status", "created_at"])
      .where("account_id", "=", accountId)
      .where("created_at", ">=", dayStart)
      .where("status", "not in", ["cancelled", "failed", "denied"])
      .execute();
    return rows
      .filter((row) => row.status !== "created" || row.created_at >= openSince)
      .reduce((sum, row) => sum + Number(row.amount), 0);
  }

  /**
   * Records a webhook event; false when an event with that id was recorded before (the primary
   * key decides, also between two transactions at once: PostgreSQL makes the second wait and then
   * skips it).
   */
  async insertEvent(event: PaymentEvent, tx: Executor): Promise<boolean> {
    const inserted = await tx
      .insertInto("payment_events")
      .values({
        event_id: event.eventId,
        payment_id: event.paymentId,
        account_id: event.accountId,
        event_type: event.eventType,
        resource_id: event.resourceId,
        outcome: event.outcome,
        received_at: event.receivedAt,
      })
      .onConflict((oc) => oc.column("event_id").doNothing())
      .returning("event_id")
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async setEventOutcome(
    eventId: string,
    outcome: { paymentId: string | null; accountId: string | null; outcome: string },
    tx: Executor,
  ): Promise<void> {
    await tx
      .updateTable("payment_events")
      .set({ payment_id: outcome.paymentId, account_id: outcome.accountId, outcome: outcome.outcome })
      .where("event_id", "=", eventId)
      .execute();
  }

  async eventsOf(paymentId: string): Promise<PaymentEvent[]> {
    const rows = await this.db
      .selectFrom("payment_events")
      .selectAll()
      .where("payment_id", "=", paymentId)
      .orderBy("received_at")
      .execute();
    return rows.map((row) => ({
      eventId: row.event_id,
      paymentId: row.payment_id,
      accountId: row.account_id,
      eventType: row.event_type,
      resourceId: row.resource_id,
      outcome: row.outcome,
      receivedAt: row.received_at,
    }));
  }
}
