import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { DomainError } from "../../../domains/domain-error.ts";
import type { PaymentsService } from "../../../domains/payments/payments.service.ts";

export const PAYPAL_WEBHOOK_PATH = "/webhooks/paypal";

/** PayPal's notifications are small; anything bigger is not one. */
const WEBHOOK_BODY_LIMIT = 64 * 1024;

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === "string" ? value : undefined;
};

/**
 * `POST /webhooks/paypal`: PayPal's notifications. The body is kept as the exact bytes received,
 * because PayPal signs a CRC32 of them; the payments service has PayPal verify the signature
 * before it reads anything. A rejected delivery answers 400 and is logged with its transmission id
 * (no signature, no body, no credentials), and nothing is credited.
 */
export const paymentsWebhookRoutes: FastifyPluginAsync<{ payments: PaymentsService }> = async (
  app,
  options,
) => {
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string", bodyLimit: WEBHOOK_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.post(PAYPAL_WEBHOOK_PATH, { schema: { hide: true } }, async (request, reply) => {
    const transmissionId = header(request, "paypal-transmission-id");
    try {
      const handled = await options.payments.handleWebhook(
        {
          transmissionId,
          transmissionTime: header(request, "paypal-transmission-time"),
          transmissionSig: header(request, "paypal-transmission-sig"),
          certUrl: header(request, "paypal-cert-url"),
          authAlgo: header(request, "paypal-auth-algo"),
        },
        typeof request.body === "string" ? request.body : "",
      );
      const context = { transmissionId, ...handled.value, outcome: handled.outcome };
      if (handled.warning) request.log.warn(context, handled.warning);
      else request.log.info(context, "PayPal webhook handled");
      return reply.status(200).send({ received: true, outcome: handled.outcome });
    } catch (error) {
      if (error instanceof DomainError && error.code === "PAYMENT.WEBHOOK_REJECTED") {
        request.log.warn(
          { transmissionId: transmissionId?.slice(0, 60), reason: error.message },
          "PayPal webhook rejected; nothing was done",
        );
      }
      throw error;
    }
  });
};
