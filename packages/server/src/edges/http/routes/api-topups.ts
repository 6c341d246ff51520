import type { FastifyPluginAsync } from "fastify";
import { formatAmount } from "../../../domains/payments/gateway-amount.ts";
import type { PaymentsService } from "../../../domains/payments/payments.service.ts";
import { PAYMENT_STATUSES, type TopUp } from "../../../domains/payments/payments.types.ts";
import { principalOf } from "./api-authentication.ts";
import { commonErrors, nullableString, problemSchema } from "./api-schemas.ts";

const topUpSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    id: { type: "string" },
    status: {
      type: "string",
      enum: [...PAYMENT_STATUSES],
    },
    amount: { type: "integer", description: "Micro-units (1 currency unit = 1,000,000)." },
    currency: { type: "string" },
    formatted: { type: "string", description: "The amount as PayPal writes it, e.g. 10.00." },
    refundedAmount: { type: "integer" },
    paypalReference: { ...nullableString, description: "PayPal's transaction (capture) id once paid." },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
    completedAt: { ...nullableString, format: "date-time" },
  },
  required: [
    "id",
    "status",
    "amount",
    "currency",
    "formatted",
    "refundedAmount",
    "paypalReference",
    "createdAt",
    "updatedAt",
    "completedAt",
  ],
} as const;

const settingsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    configured: { type: "boolean", description: "False: this server takes no payments." },
    currency: { type: "string" },
    minimum: { type: "string" },
    maximum: { type: "string" },
    dailyLimit: { type: "string" },
    remainingToday: { type: "string" },
  },
  required: ["configured", "currency", "minimum", "maximum", "dailyLimit", "remainingToday"],
} as const;

const errors = {
  ...commonErrors,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
  502: problemSchema,
  503: problemSchema,
};

export function topUpView(topUp: TopUp) {
  return {
    id: topUp.id,
    status: topUp.status,
    amount: topUp.amount,
    currency: topUp.currency,
    formatted: formatAmount(topUp.amount, topUp.currency),
    refundedAmount: topUp.refundedAmount,
    paypalReference: topUp.captureId,
    createdAt: topUp.createdAt,
    updatedAt: topUp.updatedAt,
    completedAt: topUp.completedAt,
  };
}

/**
 * Top-ups: `/api/v1/topups` for the signed-in customer (or an API key), and the two public pages
 * PayPal sends the customer back to, which capture (return) or cancel the payment and then lead to
 * the portal's Top-up page. PayPal's webhook is in payments-webhook.ts.
 */
/**
 * `/api/v1/topups`: the account's top-ups and starting one. Registered inside the /api/v1 plugin,
 * so it shares its authentication (API key or portal session), rate limit and OpenAPI document.
 */
export const apiTopUpsRoutes: FastifyPluginAsync<{ payments: PaymentsService }> = async (
  app,
  { payments },
) => {
  app.get(
    "/topups/settings",
    {
      schema: {
        tags: ["top-ups"],
        summary: "Whether and within which limits the balance can be topped up",
        response: { 200: settingsSchema, ...errors },
      },
    },
    async (request) => {
      const settings = await payments.settings(principalOf(request).accountId);
      const show = (micros: number) => formatAmount(micros, settings.currency);
      return {
        configured: settings.configured,
        currency: settings.currency,
        minimum: show(settings.minimum),
        maximum: show(settings.maximum),
        dailyLimit: show(settings.dailyCap),
        remainingToday: show(settings.remainingToday),
      };
    },
  );

  app.get(
    "/topups",
    {
      schema: {
        tags: ["top-ups"],
        summary: "The account's top-ups, newest first",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            properties: { items: { type: "array", items: topUpSchema } },
            required: ["items"],
          },
          ...errors,
        },
      },
    },
    async (request) => ({ items: (await payments.list(principalOf(request).accountId)).map(topUpView) }),
  );

  app.get<{ Params: { id: string } }>(
    "/topups/:id",
    {
      schema: {
        tags: ["top-ups"],
        summary: "One top-up",
        params: {
          type: "object",
          properties: { id: { type: "string", maxLength: 64 } },
          required: ["id"],
        },
        response: { 200: topUpSchema, ...errors },
      },
    },
    async (request) => topUpView(await payments.get(principalOf(request).accountId, request.params.id)),
  );

  app.post<{ Body: { amount: string; currency?: string } }>(
    "/topups",
    {
      schema: {
        tags: ["top-ups"],
        summary: "Start a top-up: answers the PayPal link where the customer approves the payment",
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            amount: {
              type: "string",
              minLength: 1,
              maxLength: 20,
              description: "A decimal such as 10.00.",
            },
            currency: {
              type: "string",
              minLength: 3,
              maxLength: 3,
              description: "The account's currency; the default.",
            },
          },
          required: ["amount"],
        },
        response: {
          201: {
            type: "object",
            additionalProperties: false,
            properties: { topUp: topUpSchema, approveUrl: { type: "string" } },
            required: ["topUp", "approveUrl"],
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { topUp, approveUrl } = await payments.createTopUp(principalOf(request).accountId, request.body);
      return reply.status(201).send({ topUp: topUpView(topUp), approveUrl });
    },
  );
};
