import type { CreditControlService } from "../domains/ledger/credit-control.service.ts";
import { INVENTORY } from "../domains/privacy/inventory.ts";
import type { RetentionReport, RetentionService } from "../domains/privacy/retention.service.ts";
import type { Logger } from "../logging/logger.ts";

export interface RetentionJobDeps {
  retention: RetentionService;
  creditControl: CreditControlService;
  logger: Logger;
}

export interface RetentionJobReport extends RetentionReport {
  /** Calls silent past their rule that were charged and recorded before their rows went. */
  callsClosed: number;
}

const DAY_SECONDS = 24 * 60 * 60;

/** Days a call in progress may stay silent, from the inventory's rule for its heartbeat. */
function silentCallDays(): number | undefined {
  const rule = INVENTORY.calls_in_progress?.columns.last_heartbeat_at?.retention;
  return rule?.kind === "fixed" ? rule.days : undefined;
}

/**
 * The daily retention run (privacy policy §7): calls silent too long are first charged and given
 * a call record (their rows must not go unbilled), then every inventory rule is enforced. The log
 * line holds counts per table and action only, never personal data.
 */
export async function runRetentionJob(
  deps: RetentionJobDeps,
  options: { dryRun: boolean },
): Promise<RetentionJobReport> {
  const days = silentCallDays();
  let callsClosed = 0;
  if (!options.dryRun && days !== undefined) {
    callsClosed = (await deps.creditControl.recoverSilent(days * DAY_SECONDS)).length;
  }
  const report = await deps.retention.run(options);
  const counts: Record<string, number> = {};
  const failed: Record<string, number> = {};
  for (const outcome of report.outcomes) {
    if (outcome.rows > 0) counts[`${outcome.table}.${outcome.action}`] = outcome.rows;
    if (outcome.failed > 0) failed[`${outcome.table}.${outcome.action}`] = outcome.failed;
  }
  const line = { job: "retention", dryRun: options.dryRun, callsClosed, counts, failed };
  if (Object.keys(failed).length > 0) deps.logger.warn(line, "retention run left rows it could not delete");
  else deps.logger.info(line, options.dryRun ? "retention dry run" : "retention run");
  if (report.notEnforced.length > 0) {
    deps.logger.warn({ job: "retention", notEnforced: report.notEnforced }, "retention rules not enforced");
  }
  return { ...report, callsClosed };
}
