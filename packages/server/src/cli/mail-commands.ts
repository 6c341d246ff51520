import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { openServices } from "../main/compose.ts";
import { emit } from "./output.ts";

/** `zaqros mail list`: the local outbox, where mail goes when no SMTP server is configured. */
export function registerMailCommands(program: Command, config: () => Config): void {
  const mail = program.command("mail").description("Mail kept on this machine (no SMTP server configured)");
  mail
    .command("list")
    .description("Show the newest messages in the local outbox")
    .option("--limit <n>", "how many messages", "20")
    .option("--json", "machine-readable output")
    .action(async (o: { json?: boolean; limit: string }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new Error(`--limit must be a whole number from 1 to 1000, not "${o.limit}"`);
      }
      const { services, close } = await openServices(config());
      try {
        const messages = await services.notify.listOutbox(limit);
        emit(Boolean(o.json), { messages }, () =>
          messages.length === 0
            ? "The outbox is empty."
            : messages
                .map((m) => `--- ${m.createdAt}  To: ${m.to}\nSubject: ${m.subject}\n\n${m.text}`)
                .join("\n"),
        );
      } finally {
        await close();
      }
    });
}
