import { randomBytes } from "node:crypto";
import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type SqlBool,
  sql,
} from "kysely";
import type { Database } from "../../db/schema.ts";
import type { RetentionStep } from "./retention-plan.ts";

/** What a cleared NOT NULL text value starts with; the rest is random, so it matches no secret. */
const ERASED_PREFIX = "erased:";
const ANONYMOUS = "anonymous";

/** Tables named at run time from the inventory, so their columns are not known to the compiler. */
type AnyTables = Record<string, Record<string, unknown>>;
type Where = (eb: ExpressionBuilder<AnyTables, string>) => Expression<SqlBool>;

/**
 * Carries out the retention plan's steps over any table the inventory names. Every step is one
 * statement, so a step is done wholly or not at all; the rows are chosen by the cutoff the
 * service computed from its clock.
 */
export class RetentionRepository {
  private readonly db: Kysely<AnyTables>;
  private nullable: Map<string, { nullable: boolean; text: boolean }> | undefined;

  constructor(db: Kysely<Database>) {
    this.db = db as unknown as Kysely<AnyTables>;
  }

  /** How many rows the step would change. */
  async count(step: RetentionStep, cutoff: string): Promise<number> {
    const where = await this.rowsOf(step, cutoff);
    const row = await this.db
      .selectFrom(step.table)
      .select(sql<number | string>`count(*)`.as("n"))
      .where(where)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Changes the rows; returns how many, and how many could not be deleted (still referred to). */
  async apply(step: RetentionStep, cutoff: string): Promise<{ rows: number; failed: number }> {
    const where = await this.rowsOf(step, cutoff);
    switch (step.kind) {
      case "delete-expired": {
        try {
          const result = await this.db.deleteFrom(step.table).where(where).executeTakeFirst();
          return { rows: Number(result.numDeletedRows), failed: 0 };
        } catch (error) {
          // A row still referred to (a foreign key) fails the whole statement: then row by row,
          // so it holds back only itself.
          if (!(await this.columnShapes()).has(`${step.table}.id`)) throw error;
          return this.deleteOneByOne(step.table, "id", where);
        }
      }
      case "delete-closed":
        return this.deleteOneByOne(step.table, step.subject, where);
      case "anonymise-expired": {
        const values: Record<string, RawBuilder<unknown> | string | null> = {};
        for (const [column, action] of Object.entries(step.columns)) {
          const ref = sql.ref(column);
          if (action === "clear") values[column] = null;
          else if (action === "anonymous") values[column] = ANONYMOUS;
          else if (action === "anonymous-unique")
            values[column] = sql`${ANONYMOUS + "-"} || ${sql.ref("id")}`;
          else
            values[column] =
              sql`case when ${ref} like '+%' then substr(${ref}, 1, 6) else substr(${ref}, 1, 5) end`;
        }
        const result = await this.db.updateTable(step.table).set(values).where(where).executeTakeFirst();
        return { rows: Number(result.numUpdatedRows), failed: 0 };
      }
      case "clear-closed": {
        const shapes = await this.columnShapes();
        const nullable = step.columns.filter((c) => shapes.get(`${step.table}.${c}`)?.nullable !== false);
        const notNull = step.columns.filter((c) => !nullable.includes(c));
        const rows = await this.count(step, cutoff);
        if (nullable.length > 0) {
          const values = Object.fromEntries(nullable.map((c) => [c, null]));
          await this.db.updateTable(step.table).set(values).where(where).execute();
        }
        // A NOT NULL value (a digest HA1, a key hash, perhaps unique) is overwritten value by
        // value with random text that matches no secret.
        for (const column of notNull) {
          const old = await this.db
            .selectFrom(step.table)
            .select(sql.ref(column).as("v"))
            .distinct()
            .where(where)
            .where(column, "not like", `${ERASED_PREFIX}%`)
            .execute();
          for (const { v } of old) {
            const erased = `${ERASED_PREFIX}${randomBytes(32).toString("hex")}`;
            await this.db
              .updateTable(step.table)
              .set({ [column]: erased })
              .where(where)
              .where(column, "=", v)
              .execute();
          }
        }
        return { rows, failed: 0 };
      }
    }
  }

  /** The rows a step applies to: past the cutoff and not already done. */
  private async rowsOf(step: RetentionStep, cutoff: string): Promise<Where> {
    switch (step.kind) {
      case "delete-expired":
        return (eb) => eb(step.from, "<", cutoff);
      case "anonymise-expired":
        return (eb) => eb.and([eb(step.from, "<", cutoff), eb(step.marker, "<>", ANONYMOUS)]);
      case "delete-closed":
        return (eb) => eb(step.subject, "in", this.closedBefore(cutoff));
      case "clear-closed": {
        const shapes = await this.columnShapes();
        const notCleared = step.columns.map((column) => {
          const shape = shapes.get(`${step.table}.${column}`);
          if (shape && !shape.nullable) {
            if (!shape.text)
              throw new Error(`${step.table}.${column} is NOT NULL and not text: cannot be cleared`);
            return (eb: ExpressionBuilder<AnyTables, string>) => eb(column, "not like", `${ERASED_PREFIX}%`);
          }
          return (eb: ExpressionBuilder<AnyTables, string>) => eb(column, "is not", null);
        });
        return (eb) =>
          eb.and([eb(step.subject, "in", this.closedBefore(cutoff)), eb.or(notCleared.map((c) => c(eb)))]);
      }
    }
  }

  /**
   * Accounts closed before the cutoff. A closed account changes no more, so the last change to
   * its row is when it closed.
   */
  private closedBefore(cutoff: string) {
    return this.db
      .selectFrom("accounts")
      .select("id")
      .where("status", "=", "closed")
      .where("updated_at", "<", cutoff);
  }

  /**
   * Deletes row by row, so one row still referred to elsewhere (a foreign key) holds back only
   * itself; it is counted as failed and tried again on the next run.
   */
  private async deleteOneByOne(table: string, subject: string, where: Where) {
    const key = table === "accounts" ? "id" : subject;
    // Outside a transaction: on PostgreSQL a failed statement would end one.
    const ids = await this.db
      .selectFrom(table)
      .select(sql.ref(key).as("k"))
      .distinct()
      .where(where)
      .execute();
    let rows = 0;
    let failed = 0;
    for (const { k } of ids) {
      try {
        const result = await this.db.deleteFrom(table).where(key, "=", k).executeTakeFirst();
        rows += Number(result.numDeletedRows);
      } catch {
        failed += 1;
      }
    }
    return { rows, failed };
  }

  private async columnShapes() {
    if (!this.nullable) {
      const tables = await this.db.introspection.getTables();
      this.nullable = new Map(
        tables.flatMap((t) =>
          t.columns.map((c) => [
            `${t.name}.${c.name}`,
            { nullable: c.isNullable, text: /text|char/i.test(c.dataType) },
          ]),
        ),
      );
    }
    return this.nullable;
  }
}
