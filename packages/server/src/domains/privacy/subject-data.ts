import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { DATASETS } from "./datasets.ts";
import type {
  ColumnDeclaration,
  DatasetName,
  Inventory,
  PseudonymMethod,
  RetentionRule,
  SubjectKind,
  TableDeclaration,
} from "./inventory.types.ts";

/**
 * Everything export and erasure know about personal data comes from here, and everything here
 * comes from the inventory: which tables hold a customer's rows, which columns go in the archive,
 * and what erasure does to each.
 */

/** A customer's table: where its rows are and how the subject column names the customer. */
export interface SubjectTable {
  table: string;
  declaration: TableDeclaration;
  dataset: DatasetName;
  subjectColumn: string;
  subjectKind: SubjectKind;
  /** For a table reached through another: that table, its key column, and its own subject column. */
  via: { table: string; column: string; subject: string } | undefined;
}

export function subjectTables(inventory: Inventory): SubjectTable[] {
  return Object.entries(inventory).flatMap(([table, declaration]) =>
    declaration.subject !== undefined && declaration.dataset !== undefined
      ? [
          {
            table,
            declaration,
            dataset: declaration.dataset,
            subjectColumn: declaration.subject,
            subjectKind: declaration.subjectKind ?? "account",
            via: declaration.subjectVia && {
              ...declaration.subjectVia,
              subject: inventory[declaration.subjectVia.table]?.subject ?? "account_id",
            },
          },
        ]
      : [],
  );
}

export function datasetNames(): DatasetName[] {
  return Object.keys(DATASETS) as DatasetName[];
}

/** Secrets and one-way hashes of them are useless to the customer and dangerous in a download. */
export function isExported(column: ColumnDeclaration): boolean {
  return column.category !== "credentials" && column.notExported === undefined;
}

export function exportedColumns(declaration: TableDeclaration): string[] {
  return Object.entries(declaration.columns)
    .filter(([, column]) => isExported(column))
    .map(([name]) => name);
}

export function exclusionReason(column: ColumnDeclaration): string | undefined {
  if (column.notExported !== undefined) return column.notExported;
  if (column.category === "credentials") {
    return "A secret or a one-way hash of one: kept out of every export.";
  }
  return undefined;
}

/** What erasure does to a customer's rows of one table. */
export interface TableErasure {
  table: SubjectTable;
  /** `delete` when no column needs the row; otherwise the row stays, changed column by column. */
  rows: "delete" | "keep";
  /** Columns emptied in kept rows. */
  cleared: string[];
  pseudonymised: Array<{ column: string; method: PseudonymMethod; how: string }>;
  /** The legal holds that keep the row, with the retention of the held columns. */
  holds: Array<{ hold: string; retention: RetentionRule; columns: string[] }>;
}

export function erasurePlan(table: SubjectTable): TableErasure {
  const entries = Object.entries(table.declaration.columns);
  const keeps = entries.some(([, c]) => c.erasure.action === "keep" || c.erasure.action === "pseudonymise");
  const holds = new Map<string, { hold: string; retention: RetentionRule; columns: string[] }>();
  for (const [name, column] of entries) {
    if (column.erasure.action !== "keep") continue;
    const key = `${column.erasure.hold}|${JSON.stringify(column.retention)}`;
    const entry = holds.get(key) ?? { hold: column.erasure.hold, retention: column.retention, columns: [] };
    entry.columns.push(name);
    holds.set(key, entry);
  }
  return {
    table,
    rows: keeps ? "keep" : "delete",
    cleared: keeps ? entries.filter(([, c]) => c.erasure.action === "delete").map(([n]) => n) : [],
    pseudonymised: entries.flatMap(([name, c]) =>
      c.erasure.action === "pseudonymise"
        ? [{ column: name, method: c.erasure.method ?? "keep-id", how: c.erasure.how }]
        : [],
    ),
    holds: [...holds.values()],
  };
}

/**
 * An E.164 number cut to its country code and the first digits after it: the country and area a
 * call went to, not the person.
 */
export function truncateNumber(value: string): string {
  const parsed = parsePhoneNumberFromString(value);
  if (parsed) {
    return `+${parsed.countryCallingCode}${parsed.nationalNumber.slice(0, 3)}`;
  }
  const digits = value.replace(/[^\d+]/g, "");
  return digits.slice(0, Math.min(5, Math.max(0, digits.length - 4)));
}

/** The retention rule in words, for the manifest and the erasure notice. */
export function describeRetention(rule: RetentionRule): string {
  switch (rule.kind) {
    case "account-lifetime":
      return rule.graceDays === 0
        ? "While the account is open."
        : `While the account is open and ${rule.graceDays} days after it closes.`;
    case "fixed":
      if (rule.days === 0) return `Until its ${rule.from}.`;
      return `${rule.days} ${rule.days === 1 ? "day" : "days"} from its ${rule.from}.`;
    case "system":
      return "As long as the system needs it.";
  }
}

export const LEGAL_BASIS_WORDS = {
  contract: "Performance of our contract with you (GDPR Art. 6(1)(b))",
  "legitimate-interest": "Our legitimate interests (GDPR Art. 6(1)(f))",
  consent: "Your consent (GDPR Art. 6(1)(a))",
  "legal-obligation": "Compliance with a legal obligation (GDPR Art. 6(1)(c))",
} as const;
