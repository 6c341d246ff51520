import { INVENTORY } from "./inventory.ts";
import type { Inventory } from "./inventory.types.ts";
import type { RetentionRepository } from "./retention.repository.ts";
import {
  describeStep,
  type Period,
  planRetention,
  type RetentionPlan,
  type RetentionStep,
} from "./retention-plan.ts";

/** What one step of a retention run did (or, in a dry run, would do): counts, never personal data. */
export interface RetentionOutcome {
  table: string;
  action: "delete" | "anonymise" | "clear";
  /** The rule in words: "90 days after created_at". */
  rule: string;
  /** Rows older than this were (or would be) touched. */
  cutoff: string;
  rows: number;
  /** Rows that could not be deleted because another row still refers to them. */
  failed: number;
  /** For `clear`: the columns cleared. */
  columns?: readonly string[];
}

export interface RetentionReport {
  dryRun: boolean;
  at: string;
  outcomes: RetentionOutcome[];
  notEnforced: RetentionPlan["notEnforced"];
}

export interface RetentionServiceDeps {
  repository: RetentionRepository;
  /** Months after a call its record is anonymised: the billing and audit window (default 13). */
  billingWindowMonths?: number;
  inventory?: Inventory;
  now?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Enforces the inventory's retention rules (privacy policy §7). */
export class RetentionService {
  private readonly now: () => Date;
  private readonly inventory: Inventory;
  private readonly plan: RetentionPlan;

  constructor(private readonly deps: RetentionServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.inventory = deps.inventory ?? INVENTORY;
    this.plan = planRetention(this.inventory);
  }

  /** Runs every step, or with `dryRun` only counts what each would change. */
  async run(options: { dryRun: boolean }): Promise<RetentionReport> {
    const at = this.now();
    const outcomes: RetentionOutcome[] = [];
    for (const step of this.plan.steps) {
      const cutoff = this.cutoff(step, at);
      const { rows, failed } = await this.runStep(step, cutoff, options.dryRun);
      outcomes.push({
        table: step.table,
        action: actionOf(step),
        rule: describeStep(step),
        cutoff,
        rows,
        failed,
        ...(step.kind === "clear-closed" ? { columns: step.columns } : {}),
      });
    }
    return { dryRun: options.dryRun, at: at.toISOString(), outcomes, notEnforced: this.plan.notEnforced };
  }

  private async runStep(step: RetentionStep, cutoff: string, dryRun: boolean) {
    const { repository } = this.deps;
    if (dryRun) return { rows: await repository.count(step, cutoff), failed: 0 };
    try {
      return await repository.apply(step, cutoff);
    } catch {
      // One table's failure (its rows still referred to elsewhere) does not stop the others; the
      // rows are counted as failed and tried again on the next run.
      return { rows: 0, failed: await repository.count(step, cutoff).catch(() => 0) };
    }
  }

  /** Tables whose rules the job cannot enforce, with the reason. */
  get notEnforced(): RetentionPlan["notEnforced"] {
    return this.plan.notEnforced;
  }

  private cutoff(step: RetentionStep, at: Date): string {
    if (step.kind === "clear-closed" || step.kind === "delete-closed") {
      return new Date(at.getTime() - step.graceDays * DAY_MS).toISOString();
    }
    return periodStart(step.period, at, this.deps.billingWindowMonths ?? 13).toISOString();
  }
}

function actionOf(step: RetentionStep): RetentionOutcome["action"] {
  if (step.kind === "anonymise-expired") return "anonymise";
  if (step.kind === "clear-closed") return "clear";
  return "delete";
}

/** The instant a period back from `at`; months are calendar months (the 31st steps back to the month's last day). */
export function periodStart(period: Period, at: Date, billingWindowMonths: number): Date {
  if ("days" in period) return new Date(at.getTime() - period.days * DAY_MS);
  const target = new Date(at);
  const day = target.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() - billingWindowMonths);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}
