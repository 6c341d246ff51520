import { Command, CommanderError } from "commander";
import { type Config, ConfigError, describeConfig, loadConfig } from "../config/config.ts";
import { openDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrator.ts";
import { DomainError } from "../domains/domain-error.ts";
import { runDoctor } from "../main/doctor.ts";
import { registerAnalyticsCommands } from "./analytics-commands.ts";
import { registerBillingCommands } from "./billing-commands.ts";
import { registerDevCommands } from "./dev-commands.ts";
import { registerLegalCommands } from "./legal-commands.ts";
import { registerMailCommands } from "./mail-commands.ts";
import { registerOperatorCommands } from "./operator-commands.ts";
import { emit } from "./output.ts";
import { registerPaymentsCommands } from "./payments-commands.ts";
import { registerPrivacyCommands } from "./privacy-commands.ts";
import { registerRetentionCommands } from "./retention-commands.ts";
import { startCommand } from "./start.ts";

/** Exit codes: 0 success, 1 failure, 2 bad configuration or usage. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const config = (): Config => loadConfig({ env: process.env });
  const program = new Command()
    .name("zaqros")
    .description("Zaqros VoIP platform")
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command("start")
    .description("Run the platform (HTTP, SIP and jobs) in this process")
    .action(async () => {
      exitCode = await startCommand(config());
    });

  program
    .command("migrate")
    .description("Apply pending database migrations")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }) => {
      const cfg = config();
      const handle = openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
      try {
        const { applied } = await migrateToLatest(handle.db);
        emit(Boolean(options.json), { database: handle.dialect, applied }, () =>
          applied.length
            ? `Applied ${applied.join(", ")} to ${handle.location}.`
            : "The database is up to date.",
        );
      } finally {
        await handle.close();
      }
    });

  program
    .command("config")
    .description("Print the effective configuration, secrets masked")
    .option("--json", "machine-readable output")
    .action((options: { json?: boolean }) => {
      const lines = describeConfig(config());
      emit(Boolean(options.json), Object.fromEntries(lines.map((l) => [l.key, l.value])), () =>
        lines.map((l) => `${l.key}=${l.value}\n    ${l.doc}`).join("\n"),
      );
    });

  program
    .command("doctor")
    .description("Check the data dir, database and ports, and say what is wrong")
    .option("--json", "machine-readable output")
    .action(async (options: { json?: boolean }) => {
      const checks = await runDoctor(config());
      const marks = { ok: "ok  ", warn: "warn", fail: "FAIL" } as const;
      emit(Boolean(options.json), { checks }, () =>
        checks.map((c) => `[${marks[c.status]}] ${c.check}: ${c.message}`).join("\n"),
      );
      if (checks.some((c) => c.status === "fail")) exitCode = 1;
    });

  registerOperatorCommands(program, config);
  registerBillingCommands(program, config);
  registerMailCommands(program, config);
  registerDevCommands(program, config);
  registerPaymentsCommands(program, config);
  registerPrivacyCommands(program, config);
  registerRetentionCommands(program, config);
  registerLegalCommands(program, config);
  registerAnalyticsCommands(program, config);

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`zaqros: configuration error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof DomainError) {
      const json = argv.includes("--json");
      if (json)
        process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
      process.stderr.write(`zaqros: ${error.message} (${error.code})\n`);
      return 1;
    }
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`zaqros: ${(error as Error).message}\n`);
    return 1;
  }
}
