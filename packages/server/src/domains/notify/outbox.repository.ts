import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { OutboxEntry } from "./notify.types.ts";

export class OutboxRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(entry: OutboxEntry): Promise<void> {
    await this.db
      .insertInto("mail_outbox")
      .values({
        id: entry.id,
        recipient: entry.to,
        subject: entry.subject,
        body: entry.text,
        created_at: entry.createdAt,
      })
      .execute();
  }

  async list(limit: number): Promise<OutboxEntry[]> {
    const rows = await this.db
      .selectFrom("mail_outbox")
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      to: row.recipient,
      subject: row.subject,
      text: row.body,
      createdAt: row.created_at,
    }));
  }
}
