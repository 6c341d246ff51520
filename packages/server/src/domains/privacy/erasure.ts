import type { Executor } from "../../db/write-transaction.ts";
import { DATASETS } from "./datasets.ts";
import type { DatasetName, Inventory } from "./inventory.types.ts";
import type { ColumnShape, PrivacyRepository, SubjectKeys } from "./privacy.repository.ts";
import {
  datasetNames,
  describeRetention,
  erasurePlan,
  type SubjectTable,
  subjectTables,
  truncateNumber,
} from "./subject-data.ts";

/** What erasure kept of one table, why, and until when. */
export interface KeptRecords {
  table: string;
  describes: string;
  rows: number;
  /** The legal holds, each with the date the kept data goes at the latest. */
  reasons: Array<{ hold: string; retention: string; until: string | null }>;
  pseudonymised: Array<{ column: string; how: string }>;
  cleared: string[];
}

export interface ErasedDataset {
  dataset: DatasetName;
  title: string;
  /** `deleted`: nothing is left; `kept`: some records stay under a legal hold; `none held`: there was nothing. */
  outcome: "deleted" | "kept" | "none held";
  deletedRows: number;
  kept: KeptRecords[];
}

export interface ErasureReport {
  executedAt: string;
  datasets: ErasedDataset[];
  /** Tables whose rows no account can be matched to (one-way hashes), with what happens to them. */
  unreachable: Array<{ table: string; note: string }>;
}

const DAY_MS = 86_400_000;

/**
 * Erases a customer across every table the inventory names, in one transaction, as each column's
 * erasure rule says: rows whose columns all may go are deleted; rows a legal hold keeps stay with
 * everything else emptied, numbers truncated and the account link replaced by a pseudonym.
 */
export async function eraseSubject(input: {
  repository: PrivacyRepository;
  inventory: Inventory;
  subject: SubjectKeys;
  /** Replaces the account id where the inventory says the link is replaced; linked to no person. */
  pseudonym: string;
  executedAt: Date;
  /**
   * Runs first inside the erasure's transaction; when it answers false nothing is erased (another
   * node took the request, or the customer cancelled it a moment ago).
   */
  claim?: (tx: Executor) => Promise<boolean>;
}): Promise<ErasureReport | undefined> {
  const { repository, inventory, subject, pseudonym } = input;
  const at = input.executedAt.toISOString();
  const shapes = await repository.columnShapes();
  const all = subjectTables(inventory).filter((t) => shapes.has(t.table));
  const unreachable = all
    .filter((t) => t.subjectKind === "unlinkable")
    .map((t) => ({
      table: t.table,
      note: `${t.declaration.describes} Keyed by a one-way hash no account can be matched to; ${describeRetention(
        Object.values(t.declaration.columns)[0]?.retention ?? { kind: "system" },
      ).toLowerCase()}`,
    }));
  // Tables reached through another go first, while the link they follow is intact; the account row last.
  const order = (t: SubjectTable) => (t.via ? 0 : t.table === "accounts" ? 2 : 1);
  const tables = all.filter((t) => t.subjectKind !== "unlinkable").sort((a, b) => order(a) - order(b));

  const results = new Map<string, { deleted: number; kept?: KeptRecords }>();
  const claimed = await repository.transaction(async (tx) => {
    if (input.claim && !(await input.claim(tx))) return false;
    // Counted first: deleting a row may cascade to another table's rows (a phone's registrations).
    const before = new Map<string, number>();
    for (const table of tables) before.set(table.table, await repository.countOf(table, subject, tx));
    for (const table of tables) {
      const rows = before.get(table.table) ?? 0;
      if (rows === 0) continue;
      const plan = erasurePlan(table);
      if (plan.rows === "delete") {
        await repository.deleteRowsOf(table, subject, tx);
        results.set(table.table, { deleted: rows });
        continue;
      }
      const reasons: KeptRecords["reasons"] = [];
      for (const hold of plan.holds) {
        reasons.push({
          hold: hold.hold,
          retention: describeRetention(hold.retention),
          until: await keptUntil(repository, table, subject, hold.retention, input.executedAt, tx),
        });
      }
      const shape = shapes.get(table.table) as Map<string, ColumnShape>;
      for (const p of plan.pseudonymised.filter((p) => p.method === "truncate-number")) {
        for (const value of await repository.distinctValuesOf(table, subject, p.column, tx)) {
          await repository.replaceValueOf(table, subject, p.column, value, truncateNumber(String(value)), tx);
        }
      }
      const cleared = plan.cleared.filter((c) => shape.has(c));
      await repository.updateRowsOf(
        table,
        subject,
        Object.fromEntries(cleared.map((c) => [c, emptied(shape.get(c) as ColumnShape, pseudonym, at)])),
        tx,
      );
      const links = plan.pseudonymised.filter((p) => p.method === "replace-account-link");
      if (links.length > 0) {
        await repository.updateRowsOf(
          table,
          subject,
          Object.fromEntries(links.map((p) => [p.column, pseudonym])),
          tx,
        );
      }
      results.set(table.table, {
        deleted: 0,
        kept: {
          table: table.table,
          describes: table.declaration.describes,
          rows,
          reasons,
          pseudonymised: plan.pseudonymised.map((p) => ({ column: p.column, how: p.how })),
          cleared,
        },
      });
    }
    await repository.setAccountStatus(subject.accountId, "closed", at, tx);
    return true;
  });
  if (!claimed) return undefined;

  const datasets = datasetNames().map((name): ErasedDataset => {
    const mine = tables.filter((t) => t.dataset === name).map((t) => results.get(t.table));
    const kept = mine.flatMap((r) => (r?.kept ? [r.kept] : []));
    const deletedRows = mine.reduce((sum, r) => sum + (r?.deleted ?? 0), 0);
    return {
      dataset: name,
      title: DATASETS[name].title,
      outcome: kept.length > 0 ? "kept" : deletedRows > 0 ? "deleted" : "none held",
      deletedRows,
      kept,
    };
  });
  return { executedAt: at, datasets, unreachable };
}

/** A value for a column emptied in a row that stays: NULL where allowed, else a placeholder naming no one. */
function emptied(shape: ColumnShape, pseudonym: string, at: string): unknown {
  if (shape.nullable) return null;
  if (/int|numeric|real|double|float/.test(shape.dataType)) return 0;
  if (/timestamp|date/.test(shape.dataType)) return at;
  return `erased:${pseudonym}`;
}

async function keptUntil(
  repository: PrivacyRepository,
  table: SubjectTable,
  subject: SubjectKeys,
  retention: import("./inventory.types.ts").RetentionRule,
  executedAt: Date,
  tx: Parameters<PrivacyRepository["countOf"]>[2],
): Promise<string | null> {
  if (retention.kind === "account-lifetime") {
    return new Date(executedAt.getTime() + retention.graceDays * DAY_MS).toISOString();
  }
  if (retention.kind === "fixed") {
    const latest = await repository.latestOf(table, subject, retention.from, tx);
    if (latest === undefined) return null;
    return new Date(Date.parse(latest) + retention.days * DAY_MS).toISOString();
  }
  return null;
}
