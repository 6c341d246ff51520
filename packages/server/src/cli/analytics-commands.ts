import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { openServices } from "../main/compose.ts";
import { emit } from "./output.ts";

/** `zaqros analytics usage`: aggregated usage for staff, small groups suppressed (privacy policy §3). */
export function registerAnalyticsCommands(program: Command, config: () => Config): void {
  const analytics = program
    .command("analytics")
    .description("Aggregated usage for staff (no single customer shown)");
  analytics
    .command("usage")
    .description(
      "Calls and billed minutes per destination country and month, groups of fewer customers than ZAQROS_ANALYTICS_MIN_GROUP left out",
    )
    .requiredOption("--from <YYYY-MM>", "first month (UTC)")
    .requiredOption("--to <YYYY-MM>", "last month (UTC)")
    .option("--json", "machine-readable output")
    .action(async (o: { from: string; to: string; json?: boolean }) => {
      const { services, close } = await openServices(config());
      try {
        const report = await services.analytics.callsByDestinationCountry(o.from, o.to);
        emit(Boolean(o.json), report, () =>
          [
            "month    country  customers  calls  minutes",
            ...report.groups.map(
              (g) =>
                `${g.month}  ${g.country.padEnd(7)}  ${String(g.customers).padStart(9)}  ${String(g.calls).padStart(5)}  ${String(g.minutes).padStart(7)}`,
            ),
            `${report.suppressedGroups} group(s) of fewer than ${report.minimumGroupSize} customers left out; ${report.excludedCustomers} customer(s) who restricted or objected to processing not counted.`,
          ].join("\n"),
        );
      } finally {
        await close();
      }
    });
}
