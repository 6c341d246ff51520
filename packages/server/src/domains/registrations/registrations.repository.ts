import type { Kysely, Selectable } from "kysely";
import { queryTemplate } from "../../db/query-template.ts";
import type { Database, RegistrationsTable } from "../../db/schema.ts";
import { type Executor, writeTransaction } from "../../db/write-transaction.ts";

export type RegistrationRow = Selectable<RegistrationsTable>;

/** Every column of a binding, in the order upsertBinding takes them. */
const COLUMNS = [
  "id",
  "device_id",
  "account_id",
  "contact_uri",
  "source_transport",
  "source_address",
  "source_port",
  "connection_id",
  "node_id",
  "call_id",
  "cseq",
  "q",
  "user_agent",
  "expires_at",
  "created_at",
  "updated_at",
] as const satisfies ReadonlyArray<keyof RegistrationRow>;

// Both run for every REGISTER: built once (queryTemplate).
const bindingsOfDevice = queryTemplate(1, (db, deviceId: string) =>
  db.selectFrom("registrations").selectAll().where("device_id", "=", deviceId),
);
const upsertBinding = queryTemplate(COLUMNS.length, (db, ...values: unknown[]) =>
  RegistrationsRepository.upsertQuery(
    db,
    Object.fromEntries(COLUMNS.map((column, i) => [column, values[i]])) as RegistrationRow,
  ),
);

export class RegistrationsRepository {
  constructor(readonly db: Kysely<Database>) {}

  /** A write transaction (SQLite: BEGIN IMMEDIATE, and the hot queries run on the held connection). */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work);
  }

  listByDevice(deviceId: string, tx: Executor = this.db): Promise<RegistrationRow[]> {
    return bindingsOfDevice(tx, deviceId);
  }

  listLiveByAccount(accountId: string, nowIso: string): Promise<RegistrationRow[]> {
    return this.db
      .selectFrom("registrations")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("expires_at", ">", nowIso)
      .orderBy("q", "desc")
      .execute();
  }

  async upsert(row: RegistrationRow, tx: Executor = this.db): Promise<void> {
    await upsertBinding(tx, ...COLUMNS.map((column) => row[column]));
  }

  /** The upsert as Kysely builds it; upsertBinding is it built once. */
  static upsertQuery(tx: Executor, row: RegistrationRow) {
    return tx
      .insertInto("registrations")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["device_id", "contact_uri"]).doUpdateSet({
          source_transport: row.source_transport,
          source_address: row.source_address,
          source_port: row.source_port,
          connection_id: row.connection_id,
          node_id: row.node_id,
          call_id: row.call_id,
          cseq: row.cseq,
          q: row.q,
          user_agent: row.user_agent,
          expires_at: row.expires_at,
          updated_at: row.updated_at,
        }),
      );
  }

  async remove(deviceId: string, contactUri: string, tx: Executor = this.db): Promise<void> {
    await tx
      .deleteFrom("registrations")
      .where("device_id", "=", deviceId)
      .where("contact_uri", "=", contactUri)
      .execute();
  }

  async removeAllForDevice(deviceId: string, tx: Executor = this.db): Promise<void> {
    await tx.deleteFrom("registrations").where("device_id", "=", deviceId).execute();
  }

  async removeExpired(nowIso: string): Promise<number> {
    const result = await this.db
      .deleteFrom("registrations")
      .where("expires_at", "<=", nowIso)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
