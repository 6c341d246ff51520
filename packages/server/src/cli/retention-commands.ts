import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { runRetentionJob } from "../jobs/retention-job.ts";
import { createLogger } from "../logging/logger.ts";
import { openServices } from "../main/compose.ts";
import { emit } from "./output.ts";

const VERB = {
  delete: ["delete", "deleted"],
  anonymise: ["anonymise", "anonymised"],
  clear: ["clear credentials of", "cleared credentials of"],
} as const;

/** `zaqros retention run [--dry-run]`: enforces the inventory's retention rules now (privacy policy §7). */
export function registerRetentionCommands(program: Command, config: () => Config): void {
  const retention = program
    .command("retention")
    .description("Retention of personal data (privacy policy §7)");
  retention
    .command("run")
    .description("Delete or anonymise what has outlived its retention rule (the daily job, now)")
    .option("--dry-run", "count per table what would be done, change nothing")
    .option("--json", "machine-readable output")
    .action(async (o: { dryRun?: boolean; json?: boolean }) => {
      const cfg = config();
      const { services, close } = await openServices(cfg);
      try {
        const dryRun = Boolean(o.dryRun);
        // The log line carries counts only; on a terminal the summary below says the same.
        const logger = createLogger({ level: o.json ? "silent" : "warn", format: cfg.logFormat });
        const report = await runRetentionJob({ ...services, logger }, { dryRun });
        emit(Boolean(o.json), report, () => {
          const lines = report.outcomes.map((outcome) => {
            const verb = VERB[outcome.action][dryRun ? 0 : 1];
            const failed = outcome.failed > 0 ? ` (${outcome.failed} could not be deleted)` : "";
            return `${outcome.table.padEnd(24)} ${dryRun ? "would " : ""}${verb} ${outcome.rows} row(s): ${outcome.rule}${failed}`;
          });
          if (!dryRun)
            lines.unshift(`calls_in_progress        charged and closed ${report.callsClosed} silent call(s)`);
          for (const gap of report.notEnforced)
            lines.push(`${gap.table.padEnd(24)} NOT ENFORCED: ${gap.reason}`);
          lines.unshift(
            dryRun ? `Dry run at ${report.at}; nothing was changed.` : `Retention run at ${report.at}.`,
          );
          return lines.join("\n");
        });
      } finally {
        await close();
      }
    });
}
