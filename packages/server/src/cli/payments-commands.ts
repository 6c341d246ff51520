import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { formatAmount } from "../domains/payments/gateway-amount.ts";
import { PAYMENT_STATUSES, type PaymentStatus, type TopUp } from "../domains/payments/payments.types.ts";
import { openServices } from "../main/compose.ts";
import { emit } from "./output.ts";

const line = (t: TopUp) =>
  `${t.createdAt}  ${t.id}  ${t.status.padEnd(18)} ${formatAmount(t.amount, t.currency).padStart(10)} ${t.currency}  account ${t.accountId}  PayPal ${t.captureId ?? t.orderId ?? "-"}`;

/** `zaqros payments ...`: staff tools for top-ups (flagged captures, refunds). */
export function registerPaymentsCommands(program: Command, config: () => Config): void {
  const payments = program.command("payments").description("PayPal top-ups: flagged captures and refunds");
  payments
    .command("list")
    .description(
      "Top-ups in one status, newest first (flagged: captured amount differs from the order; never credited)",
    )
    .option("--status <status>", `one of ${PAYMENT_STATUSES.join(", ")}`, "flagged")
    .option("--limit <n>", "how many", "100")
    .option("--json", "machine-readable output")
    .action(async (o: { status: string; limit: string; json?: boolean }) => {
      if (!(PAYMENT_STATUSES as readonly string[]).includes(o.status)) {
        throw new Error(
          `--status must be one of ${PAYMENT_STATUSES.join(", ")}, not "${o.status.slice(0, 30)}"`,
        );
      }
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new Error(`--limit must be a whole number from 1 to 1000, not "${o.limit.slice(0, 30)}"`);
      }
      const { services, close } = await openServices(config());
      try {
        const topUps = await services.payments.listByStatus(o.status as PaymentStatus, limit);
        emit(Boolean(o.json), { topUps }, () =>
          topUps.length === 0 ? `No ${o.status} top-ups.` : topUps.map(line).join("\n"),
        );
      } finally {
        await close();
      }
    });
  payments
    .command("refund <topUpId> [amount]")
    .description(
      "Refund a completed top-up through PayPal (all that is left, or the amount) and debit the balance",
    )
    .option("--json", "machine-readable output")
    .action(async (topUpId: string, amount: string | undefined, o: { json?: boolean }) => {
      const { services, close } = await openServices(config());
      try {
        const topUp = await services.payments.refund(topUpId, amount);
        emit(Boolean(o.json), { topUp }, () => line(topUp));
      } finally {
        await close();
      }
    });
}
