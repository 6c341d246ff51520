import type { Kysely, Selectable } from "kysely";
import { commandTemplate, queryTemplate } from "../../db/query-template.ts";
import type { CallsInProgressTable, Database } from "../../db/schema.ts";
import { type Executor, writeTransaction } from "../../db/write-transaction.ts";
import type { CallRate } from "../rating/rating.types.ts";
import type { CallInProgress } from "./credit-control.types.ts";

/** Read at every admission: built once (queryTemplate). */
const reservedByAccount = queryTemplate(1, (db, accountId: string) =>
  db
    .selectFrom("calls_in_progress")
    .select((eb) => eb.fn.sum<number | string | null>("reserved").as("held"))
    .where("account_id", "=", accountId),
);

/** Written at every admission: built once (commandTemplate). */
const insertCall = commandTemplate(
  14,
  (
    db,
    callId: string,
    accountId: string,
    nodeId: string,
    deviceId: string | null,
    direction: CallInProgress["direction"],
    source: string,
    destination: string,
    carrierId: string | null,
    rate: string,
    reserved: number,
    coveredSeconds: number,
    startedAt: string,
    answeredAt: string | null,
    lastHeartbeatAt: string,
  ) =>
    db
      .insertInto("calls_in_progress")
      .values({
        call_id: callId,
        account_id: accountId,
        node_id: nodeId,
        device_id: deviceId,
        direction,
        source,
        destination,
        carrier_id: carrierId,
        rate,
        reserved,
        covered_seconds: coveredSeconds,
        started_at: startedAt,
        answered_at: answeredAt,
        last_heartbeat_at: lastHeartbeatAt,
      })
      .onConflict((oc) => oc.column("call_id").doNothing()),
);

/** Written at every answer: built once (commandTemplate). */
const answerCall = commandTemplate(2, (db, callId: string, answeredAt: string) =>
  db
    .updateTable("calls_in_progress")
    .set({ answered_at: answeredAt, last_heartbeat_at: answeredAt })
    .where("call_id", "=", callId),
);

const HEARTBEAT_BATCH = 500;
const IN_LIST_BATCH = 500;

function toCall(row: Selectable<CallsInProgressTable>): CallInProgress {
  return {
    callId: row.call_id,
    accountId: row.account_id,
    nodeId: row.node_id,
    deviceId: row.device_id,
    direction: row.direction,
    source: row.source,
    destination: row.destination,
    carrierId: row.carrier_id,
    rate: JSON.parse(row.rate) as CallRate,
    reserved: Number(row.reserved),
    coveredSeconds: row.covered_seconds,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    lastHeartbeatAt: row.last_heartbeat_at,
  };
}

/** Calls in progress: what each holds against its account's balance, and its last sign of life. */
export class CallsInProgressRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work);
  }

  /** False when a call with that id is in progress already. */
  async insert(call: CallInProgress, tx: Executor): Promise<boolean> {
    const inserted = await insertCall(
      tx,
      call.callId,
      call.accountId,
      call.nodeId,
      call.deviceId,
      call.direction,
      call.source,
      call.destination,
      call.carrierId,
      JSON.stringify(call.rate),
      call.reserved,
      call.coveredSeconds,
      call.startedAt,
      call.answeredAt,
      call.lastHeartbeatAt,
    );
    return inserted === 1;
  }

  async find(callId: string, tx: Executor = this.db): Promise<CallInProgress | undefined> {
    const row = await tx
      .selectFrom("calls_in_progress")
      .selectAll()
      .where("call_id", "=", callId)
      .executeTakeFirst();
    return row && toCall(row);
  }

  /** What the account's calls in progress hold, in micro-units. */
  async reservedBy(accountId: string, tx: Executor = this.db): Promise<number> {
    const [row] = await reservedByAccount(tx, accountId);
    return Number(row?.held ?? 0);
  }

  async setReservation(
    callId: string,
    reservation: { reserved: number; coveredSeconds: number; at: string },
    tx: Executor,
  ): Promise<void> {
    await tx
      .updateTable("calls_in_progress")
      .set({
        reserved: reservation.reserved,
        covered_seconds: reservation.coveredSeconds,
        last_heartbeat_at: reservation.at,
      })
      .where("call_id", "=", callId)
      .execute();
  }

  async markAnswered(callId: string, answeredAt: string, tx: Executor = this.db): Promise<boolean> {
    return (await answerCall(tx, callId, answeredAt)) === 1;
  }

  async heartbeat(callIds: readonly string[], at: string): Promise<number> {
    let touched = 0;
    for (let i = 0; i < callIds.length; i += HEARTBEAT_BATCH) {
      const result = await this.db
        .updateTable("calls_in_progress")
        .set({ last_heartbeat_at: at })
        .where("call_id", "in", callIds.slice(i, i + HEARTBEAT_BATCH))
        .executeTakeFirst();
      touched += Number(result.numUpdatedRows);
    }
    return touched;
  }

  async findMany(callIds: readonly string[]): Promise<CallInProgress[]> {
    const found: CallInProgress[] = [];
    for (let i = 0; i < callIds.length; i += IN_LIST_BATCH) {
      const rows = await this.db
        .selectFrom("calls_in_progress")
        .selectAll()
        .where("call_id", "in", callIds.slice(i, i + IN_LIST_BATCH))
        .execute();
      found.push(...rows.map(toCall));
    }
    return found;
  }

  /** Removes the calls and returns them; those another finish removed first are missing. */
  async takeMany(callIds: readonly string[], tx: Executor): Promise<CallInProgress[]> {
    const taken: CallInProgress[] = [];
    for (let i = 0; i < callIds.length; i += IN_LIST_BATCH) {
      const rows = await tx
        .deleteFrom("calls_in_progress")
        .where("call_id", "in", callIds.slice(i, i + IN_LIST_BATCH))
        .returningAll()
        .execute();
      taken.push(...rows.map(toCall));
    }
    return taken;
  }

  async listByAccount(accountId: string): Promise<CallInProgress[]> {
    const rows = await this.db
      .selectFrom("calls_in_progress")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("started_at")
      .execute();
    return rows.map(toCall);
  }

  /** Calls of one node, or of any node silent since `silentSince`. */
  async listOrphans(filter: { nodeId: string } | { silentSince: string }): Promise<CallInProgress[]> {
    const rows = await this.db
      .selectFrom("calls_in_progress")
      .selectAll()
      .$if("nodeId" in filter, (q) => q.where("node_id", "=", (filter as { nodeId: string }).nodeId))
      .$if("silentSince" in filter, (q) =>
        q.where("last_heartbeat_at", "<", (filter as { silentSince: string }).silentSince),
      )
      .orderBy("started_at")
      .execute();
    return rows.map(toCall);
  }
}
