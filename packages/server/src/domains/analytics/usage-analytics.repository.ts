import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/schema.ts";

/** Outbound calls of one account to one number in a period, summed. */
export interface UsageCell {
  destination: string;
  accountId: string;
  calls: number;
  billedSeconds: number;
}

/**
 * Reads call records for analytics, summed per destination and account, never a single call.
 * The analytics service folds these into groups and shows only groups of enough customers.
 */
export class UsageAnalyticsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async outboundUsage(from: string, to: string, excludedAccounts: readonly string[]): Promise<UsageCell[]> {
    let query = this.db
      .selectFrom("cdrs")
      .select([
        "destination",
        "account_id",
        sql<number | string>`count(*)`.as("calls"),
        sql<number | string>`sum(billed_seconds)`.as("billed_seconds"),
      ])
      .where("direction", "=", "outbound")
      .where("started_at", ">=", from)
      .where("started_at", "<", to)
      .groupBy(["destination", "account_id"]);
    if (excludedAccounts.length > 0) query = query.where("account_id", "not in", excludedAccounts);
    const rows = await query.execute();
    return rows.map((r) => ({
      destination: r.destination,
      accountId: r.account_id,
      calls: Number(r.calls),
      billedSeconds: Number(r.billed_seconds),
    }));
  }
}
