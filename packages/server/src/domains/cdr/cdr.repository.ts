import { CompiledQuery, type Insertable, type Kysely, type Selectable } from "kysely";
import type { CdrsTable, Database } from "../../db/schema.ts";
import { type Executor, isPostgres, writeTransaction } from "../../db/write-transaction.ts";
import type { CallOutcome, Cdr, HangupBy } from "./cdr.types.ts";

// Twenty values a row: under SQLite's 32,766 parameters a statement.
const INSERT_BATCH = 1_000;
// On PostgreSQL each column is one array parameter, so a statement can take many more rows.
const ARRAY_BATCH = 10_000;

/** Every column with its PostgreSQL type, in the order the batched inserts list them. */
const COLUMNS = [
  ["id", "text"],
  ["call_id", "text"],
  ["account_id", "text"],
  ["device_id", "text"],
  ["direction", "text"],
  ["source", "text"],
  ["destination", "text"],
  ["started_at", "timestamptz"],
  ["answered_at", "timestamptz"],
  ["ended_at", "timestamptz"],
  ["duration_seconds", "integer"],
  ["billed_seconds", "integer"],
  ["cost", "bigint"],
  ["currency", "text"],
  ["carrier_id", "text"],
  ["sip_status", "integer"],
  ["hangup_by", "text"],
  ["node_id", "text"],
  ["plan_id", "text"],
  ["rate_prefix", "text"],
] as const satisfies ReadonlyArray<readonly [keyof CdrsTable, string]>;

const COLUMN_LIST = COLUMNS.map(([name]) => name).join(", ");

const UNNEST_INSERT = `insert into cdrs (${COLUMN_LIST}) select * from unnest(${COLUMNS.map(
  ([, type], i) => `$${i + 1}::${type}[]`,
).join(", ")})`;

/** Multi-row INSERT text for SQLite by row count, built once: compiling it per batch costs more than running it. */
const sqliteInserts = new Map<number, string>();
function sqliteInsert(rows: number): string {
  let text = sqliteInserts.get(rows);
  if (!text) {
    const row = `(${COLUMNS.map(() => "?").join(",")})`;
    text = `insert into cdrs (${COLUMN_LIST}) values ${Array.from({ length: rows }, () => row).join(",")}`;
    sqliteInserts.set(rows, text);
  }
  return text;
}

function toCdr(row: Selectable<CdrsTable>): Cdr {
  return {
    id: row.id,
    callId: row.call_id,
    accountId: row.account_id,
    deviceId: row.device_id,
    direction: row.direction,
    source: row.source,
    destination: row.destination,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    durationSeconds: row.duration_seconds,
    billedSeconds: row.billed_seconds,
    cost: Number(row.cost),
    currency: row.currency,
    carrierId: row.carrier_id,
    sipStatus: row.sip_status,
    hangupBy: row.hangup_by as HangupBy,
    nodeId: row.node_id,
    planId: row.plan_id,
    ratePrefix: row.rate_prefix,
  };
}

function toRow(cdr: Cdr): Insertable<CdrsTable> {
  return {
    id: cdr.id,
    call_id: cdr.callId,
    account_id: cdr.accountId,
    device_id: cdr.deviceId,
    direction: cdr.direction,
    source: cdr.source,
    destination: cdr.destination,
    started_at: cdr.startedAt,
    answered_at: cdr.answeredAt,
    ended_at: cdr.endedAt,
    duration_seconds: cdr.durationSeconds,
    billed_seconds: cdr.billedSeconds,
    cost: cdr.cost,
    currency: cdr.currency,
    carrier_id: cdr.carrierId,
    sip_status: cdr.sipStatus,
    hangup_by: cdr.hangupBy,
    node_id: cdr.nodeId,
    plan_id: cdr.planId,
    rate_prefix: cdr.ratePrefix,
  };
}

export interface CdrPageQuery {
  from: string;
  to: string;
  accountId?: string | undefined;
  /** Only calls from or to this number. */
  number?: string | undefined;
  status?: CallOutcome | undefined;
  /** Continue after this record in the chosen order. */
  after?: { startedAt: string; id: string } | undefined;
  limit: number;
  order: "asc" | "desc";
}

export class CdrRepository {
  constructor(private readonly db: Kysely<Database>) {}

  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work);
  }

  async insert(cdr: Cdr, tx: Executor = this.db): Promise<void> {
    await tx.insertInto("cdrs").values(toRow(cdr)).execute();
  }

  /**
   * Writes many records in one transaction: on PostgreSQL as one array per column `unnest`ed into
   * rows, on SQLite as multi-row INSERTs of a thousand. Both skip building a query per row, which
   * at these rates costs more than the database's own work.
   */
  async insertMany(cdrs: readonly Cdr[], tx?: Executor): Promise<void> {
    if (cdrs.length === 0) return;
    const write = async (executor: Executor) => {
      const postgres = isPostgres(executor);
      const step = postgres ? ARRAY_BATCH : INSERT_BATCH;
      for (let i = 0; i < cdrs.length; i += step) {
        const rows = cdrs.slice(i, i + step).map(toRow);
        const query = postgres
          ? CompiledQuery.raw(
              UNNEST_INSERT,
              COLUMNS.map(([name]) => rows.map((row) => row[name] ?? null)),
            )
          : CompiledQuery.raw(
              sqliteInsert(rows.length),
              rows.flatMap((row) => COLUMNS.map(([name]) => row[name] ?? null)),
            );
        await executor.executeQuery(query);
      }
    };
    if (tx) await write(tx);
    else await this.transaction(write);
  }

  async findByCallId(callId: string, tx: Executor = this.db): Promise<Cdr | undefined> {
    const row = await tx.selectFrom("cdrs").selectAll().where("call_id", "=", callId).executeTakeFirst();
    return row && toCdr(row);
  }

  async findById(id: string): Promise<Cdr | undefined> {
    const row = await this.db.selectFrom("cdrs").selectAll().where("id", "=", id).executeTakeFirst();
    return row && toCdr(row);
  }

  /**
   * Records started in [from, to), in start order then id, after a keyset cursor; the number and
   * status filters are part of the query (bound parameters), so a page is full whenever that many
   * matching records exist.
   */
  async page(query: CdrPageQuery): Promise<Cdr[]> {
    const before = query.order === "asc" ? ">" : "<";
    const rows = await this.db
      .selectFrom("cdrs")
      .selectAll()
      .where("started_at", ">=", query.from)
      .where("started_at", "<", query.to)
      .$if(query.accountId !== undefined, (q) => q.where("account_id", "=", query.accountId as string))
      .$if(query.number !== undefined, (q) =>
        q.where((eb) =>
          eb.or([eb("source", "=", query.number as string), eb("destination", "=", query.number as string)]),
        ),
      )
      .$if(query.status === "answered", (q) => q.where("answered_at", "is not", null))
      .$if(query.status === "unanswered", (q) => q.where("answered_at", "is", null))
      .$if(query.after !== undefined, (q) => {
        const after = query.after as { startedAt: string; id: string };
        return q.where((eb) =>
          eb.or([
            eb("started_at", before, after.startedAt),
            eb.and([eb("started_at", "=", after.startedAt), eb("id", before, after.id)]),
          ]),
        );
      })
      .orderBy("started_at", query.order)
      .orderBy("id", query.order)
      .limit(query.limit)
      .execute();
    return rows.map(toCdr);
  }

  /**
   * Sets a record's billed seconds and cost if its cost is still `expectedCost`; returns whether it
   * did (false means another rerate got there first).
   */
  async updateCharge(
    id: string,
    charge: { billedSeconds: number; cost: number; ratePrefix: string | null; expectedCost: number },
    tx: Executor,
  ): Promise<boolean> {
    const result = await tx
      .updateTable("cdrs")
      .set({ billed_seconds: charge.billedSeconds, cost: charge.cost, rate_prefix: charge.ratePrefix })
      .where("id", "=", id)
      .where("cost", "=", charge.expectedCost)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
