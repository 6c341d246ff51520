import { type Command, InvalidArgumentError } from "commander";
import type { Config } from "../config/config.ts";
import { PayPalSandbox } from "../dev/paypal-sandbox/paypal-sandbox.ts";

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError("must be a port number from 0 to 65535.");
  }
  return port;
}

/** `zaqros dev ...`: tools for development and tests on one machine; none of them runs in production. */
export function registerDevCommands(program: Command, config: () => Config): void {
  const dev = program.command("dev").description("Development tools (never for production)");
  dev
    .command("paypal-sandbox")
    .description(
      "Run a local stand-in of PayPal's REST API (token, orders, captures, refunds, signed webhooks, verify-webhook-signature) with an approval page",
    )
    .option("--port <n>", "TCP port to listen on", portNumber, 8091)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--webhook-url <url>", "where to deliver webhooks (default: this Zaqros's /webhooks/paypal)")
    .option("--client-id <id>", "client id the sandbox accepts (default: generated)")
    .option("--client-secret <secret>", "client secret the sandbox accepts (default: generated)")
    .action(
      async (options: {
        port: number;
        host: string;
        webhookUrl?: string;
        clientId?: string;
        clientSecret?: string;
      }) => {
        let webhookUrl = options.webhookUrl;
        if (!webhookUrl) {
          const cfg = config();
          const host = cfg.publicHost.includes(":") ? `[${cfg.publicHost}]` : cfg.publicHost;
          webhookUrl = `http://${host}:${cfg.httpPort}/webhooks/paypal`;
        }
        const sandbox = new PayPalSandbox({
          clientId: options.clientId,
          clientSecret: options.clientSecret,
          webhookUrl,
        });
        const url = await sandbox.start(options.port, options.host);
        const webhook = sandbox.webhooks[0];
        process.stdout.write(
          [
            `PayPal sandbox listening at ${url} (no money moves; approval pages at ${url}/checkoutnow?token=<order id>)`,
            `Webhooks go to ${webhookUrl}. Start Zaqros with:`,
            "",
            `  ZAQROS_PAYPAL_API_URL=${url}`,
            `  ZAQROS_PAYPAL_CLIENT_ID=${sandbox.clientId}`,
            `  ZAQROS_PAYPAL_CLIENT_SECRET=${sandbox.clientSecret}`,
            `  ZAQROS_PAYPAL_WEBHOOK_ID=${webhook?.id ?? ""}`,
            "",
            "Test controls: POST /sandbox/orders/<id>/next-capture {status, amount}, /sandbox/captures/<id>/complete|deny|reverse,",
            "/sandbox/webhooks/hold and /sandbox/webhooks/release. Ctrl-C stops.",
            "",
          ].join("\n"),
        );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await sandbox.stop();
      },
    );
}
