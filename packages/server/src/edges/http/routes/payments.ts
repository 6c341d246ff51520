import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { DomainError } from "../../../domains/domain-error.ts";
import {
  PAYPAL_CANCEL_PATH,
  PAYPAL_RETURN_PATH,
  type PaymentsService,
} from "../../../domains/payments/payments.service.ts";

export interface PaymentsRoutesOptions {
  payments: PaymentsService;
  /** The portal page PayPal's return and cancel links lead back to. */
  portalTopUpPath?: string;
}

/**
 * The two public pages PayPal sends the customer back to, which capture (return) or cancel the
 * payment and then lead to the portal's Top-up page. The top-ups resource is api-topups.ts (inside
 * /api/v1); PayPal's webhook is payments-webhook.ts.
 */
export const paymentsRoutes: FastifyPluginAsync<PaymentsRoutesOptions> = async (app, options) => {
  const { payments } = options;
  const portalPage = options.portalTopUpPath ?? "/top-up";

  const backQuery = {
    type: "object",
    properties: {
      topup: { type: "string", maxLength: 64 },
      token: { type: "string", maxLength: 64 },
      // PayPal adds the payer's id; it is accepted and never read or kept.
      PayerID: { type: "string", maxLength: 64 },
    },
    required: ["topup", "token"],
  } as const;

  const toPortal = (reply: FastifyReply, topUpId: string, result: string) =>
    reply.redirect(
      `${portalPage}?topup=${encodeURIComponent(topUpId)}&result=${encodeURIComponent(result)}`,
      303,
    );

  // Request logging stays at warn here: PayPal puts the payer's id in these URLs.
  app.get<{ Querystring: { topup: string; token: string } }>(
    PAYPAL_RETURN_PATH,
    { logLevel: "warn", schema: { hide: true, querystring: backQuery } },
    async (request, reply) => {
      const { topup, token } = request.query;
      try {
        const handled = await payments.completeReturn(topup, token);
        if (handled.warning) request.log.warn({ topUpId: topup, outcome: handled.outcome }, handled.warning);
        return toPortal(reply, topup, handled.value.status);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        request.log.warn({ topUpId: topup, code: error.code }, "PayPal return not completed");
        const result =
          error.code === "PAYMENT.NOT_APPROVED"
            ? "not-approved"
            : error.code === "PAYMENT.NOT_FOUND"
              ? "unknown"
              : "error";
        return toPortal(reply, topup, result);
      }
    },
  );

  app.get<{ Querystring: { topup: string; token: string } }>(
    PAYPAL_CANCEL_PATH,
    { logLevel: "warn", schema: { hide: true, querystring: backQuery } },
    async (request, reply) => {
      const { topup, token } = request.query;
      try {
        const topUp = await payments.cancel(topup, token);
        return toPortal(reply, topup, topUp.status === "created" ? "cancelled" : topUp.status);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return toPortal(reply, topup, "unknown");
      }
    },
  );
};
