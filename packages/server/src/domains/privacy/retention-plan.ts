import type { ExpiryAction, Inventory, RetentionRule, TableDeclaration } from "./inventory.types.ts";

/**
 * The retention job's plan, read from the inventory alone: for each table, which rows (or which
 * values) have outlived their retention rule and what happens to them (privacy policy §7).
 *
 * ```
 *   fixed rule, every column delete-row ... delete-expired    rows whose `from` is older than the period
 *   fixed rule, columns name other actions  anonymise-expired  the same rows, anonymised in place, once
 *   account-lifetime, longest grace ....... delete-closed     rows of accounts closed longer than the grace
 *   account-lifetime, shorter grace ....... clear-closed      those columns cleared on such accounts
 * ```
 * A table whose rules the job cannot enforce is listed in `notEnforced` with the reason; a test
 * keeps that list empty for the shipped inventory.
 */

/** How long a fixed period lasts: a number of days, or the configured billing and audit window. */
export type Period = { days: number } | { window: "billing" };

export type RetentionStep =
  | { kind: "delete-expired"; table: string; from: string; period: Period }
  | {
      kind: "anonymise-expired";
      table: string;
      from: string;
      period: Period;
      /** Column → what anonymisation writes; `keep` columns are left out. */
      columns: Readonly<Record<string, Exclude<ExpiryAction, "delete-row" | "keep">>>;
      /** A column set to `anonymous`: rows holding that already are done. */
      marker: string;
    }
  | {
      kind: "clear-closed";
      table: string;
      /** The column naming the account. */
      subject: string;
      graceDays: number;
      columns: readonly string[];
    }
  | { kind: "delete-closed"; table: string; subject: string; graceDays: number };

export interface RetentionPlan {
  /** In the order they run: expiries first, then closed accounts' values, their rows, the accounts last. */
  steps: RetentionStep[];
  notEnforced: Array<{ table: string; reason: string }>;
}

const ACCOUNTS_TABLE = "accounts";

export function planRetention(inventory: Inventory): RetentionPlan {
  const expiries: RetentionStep[] = [];
  const clears: RetentionStep[] = [];
  const closedRows: RetentionStep[] = [];
  const notEnforced: RetentionPlan["notEnforced"] = [];
  for (const [table, declaration] of Object.entries(inventory)) {
    const planned = planTable(table, declaration);
    if ("reason" in planned) {
      notEnforced.push({ table, reason: planned.reason });
      continue;
    }
    for (const step of planned.steps) {
      if (step.kind === "clear-closed") clears.push(step);
      else if (step.kind === "delete-closed") closedRows.push(step);
      else expiries.push(step);
    }
  }
  // Tables are declared parents first (devices before registrations, requests before their
  // events), so expiries run in reverse: a row referred to by another goes after it.
  expiries.reverse();
  // An account row goes after every row that refers to it.
  closedRows.sort((a, b) => Number(a.table === ACCOUNTS_TABLE) - Number(b.table === ACCOUNTS_TABLE));
  return { steps: [...expiries, ...clears, ...closedRows], notEnforced };
}

function planTable(
  table: string,
  declaration: TableDeclaration,
): { steps: RetentionStep[] } | { reason: string } {
  const columns = Object.entries(declaration.columns);
  const rules = columns.map(([, c]) => c.retention).filter((r) => r.kind !== "system");
  if (rules.length === 0) return { steps: [] };
  if (rules.length !== columns.length) {
    return { reason: "some columns are system data and some personal: no single rule for a row" };
  }
  const fixed = columns.filter(([, c]) => c.retention.kind === "fixed");
  if (fixed.length === columns.length) return planFixed(table, columns);
  if (fixed.length > 0) return { reason: "fixed and account-lifetime rules mixed in one table" };
  return planAccountLifetime(table, declaration, columns);
}

type Columns = Array<[string, { retention: RetentionRule }]>;

function planFixed(table: string, columns: Columns): { steps: RetentionStep[] } | { reason: string } {
  const rules = columns.map(
    ([name, c]) => [name, c.retention as Extract<RetentionRule, { kind: "fixed" }>] as const,
  );
  const first = rules[0]?.[1];
  if (!first) return { steps: [] };
  const same = rules.every(
    ([, r]) => r.from === first.from && r.days === first.days && r.window === first.window,
  );
  if (!same) return { reason: "columns run different fixed periods" };
  if (!rules.some(([name]) => name === first.from)) {
    return { reason: `the period runs from ${first.from}, which is not a column` };
  }
  const period: Period = first.window ? { window: first.window } : { days: first.days };
  const deletes = rules.filter(([, r]) => (r.atExpiry ?? "delete-row") === "delete-row");
  if (deletes.length === rules.length) {
    return { steps: [{ kind: "delete-expired", table, from: first.from, period }] };
  }
  if (deletes.length > 0) return { reason: "some columns delete the row and some anonymise it" };
  const written: Record<string, Exclude<ExpiryAction, "delete-row" | "keep">> = {};
  for (const [name, r] of rules) {
    if (r.atExpiry && r.atExpiry !== "keep" && r.atExpiry !== "delete-row") written[name] = r.atExpiry;
  }
  const marker = Object.keys(written).find((name) => written[name] === "anonymous");
  if (!marker) return { reason: "an anonymised table needs an `anonymous` column to mark rows done" };
  if (Object.values(written).includes("anonymous-unique") && !rules.some(([name]) => name === "id")) {
    return { reason: "`anonymous-unique` needs an id column" };
  }
  if (written[first.from]) return { reason: "the column the period runs from must be kept" };
  return {
    steps: [{ kind: "anonymise-expired", table, from: first.from, period, columns: written, marker }],
  };
}

function planAccountLifetime(
  table: string,
  declaration: TableDeclaration,
  columns: Columns,
): { steps: RetentionStep[] } | { reason: string } {
  const subject = declaration.subject;
  const namesAccount = subject === (table === ACCOUNTS_TABLE ? "id" : "account_id");
  if (!subject || !namesAccount) {
    return { reason: "account-lifetime rules need a subject column holding the account id" };
  }
  const graceOf = (r: RetentionRule) => (r.kind === "account-lifetime" ? r.graceDays : 0);
  const rowGrace = Math.max(...columns.map(([, c]) => graceOf(c.retention)));
  const shorter = new Map<number, string[]>();
  for (const [name, c] of columns) {
    const grace = graceOf(c.retention);
    if (grace < rowGrace) shorter.set(grace, [...(shorter.get(grace) ?? []), name]);
  }
  if ([...shorter.values()].some((names) => names.includes(subject))) {
    return { reason: "the subject column would be cleared before the row goes" };
  }
  return {
    steps: [
      ...[...shorter.entries()].map(
        ([graceDays, names]): RetentionStep => ({
          kind: "clear-closed",
          table,
          subject,
          graceDays,
          columns: names,
        }),
      ),
      { kind: "delete-closed", table, subject, graceDays: rowGrace },
    ],
  };
}

/** The rule in words, for the report: "90 days after created_at". */
export function describeStep(step: RetentionStep): string {
  switch (step.kind) {
    case "delete-expired":
    case "anonymise-expired": {
      const length =
        "days" in step.period
          ? `${step.period.days} day${step.period.days === 1 ? "" : "s"}`
          : "the billing and audit window";
      return `${length} after ${step.from}`;
    }
    case "clear-closed":
    case "delete-closed":
      return `${step.graceDays} days after the account closed`;
  }
}
