import type { FastifyPluginAsync } from "fastify";
import type { LedgerService } from "../../../domains/ledger/ledger.service.ts";
import { formatMicros } from "../../../domains/money.ts";
import { sendProblem } from "../problem.ts";
import { principalOf } from "./api-authentication.ts";
import { commonErrors, nullableString, pageCursor } from "./api-schemas.ts";

const balanceSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    balance: { type: "integer", description: "Micro-units (1 currency unit = 1,000,000)." },
    currency: { type: "string" },
    formatted: { type: "string", description: "The balance as a decimal in the currency." },
  },
  required: ["balance", "currency", "formatted"],
} as const;

const entrySchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    id: { type: "integer" },
    kind: { type: "string", enum: ["topup", "call_charge", "refund", "adjustment", "reversal"] },
    amount: { type: "integer", description: "Signed micro-units: credits positive, charges negative." },
    balanceAfter: { type: "integer" },
    currency: { type: "string" },
    reason: nullableString,
    reference: nullableString,
    createdAt: { type: "string", format: "date-time" },
  },
  required: ["id", "kind", "amount", "balanceAfter", "currency", "reason", "reference", "createdAt"],
} as const;

const ledgerPageSchema = {
  type: "object",
  additionalProperties: false,
  properties: { items: { type: "array", items: entrySchema }, nextCursor: nullableString },
  required: ["items", "nextCursor"],
} as const;

interface LedgerQuery {
  limit: number;
  cursor?: string;
}

const encodeCursor = (id: number) => Buffer.from(`ledger:${id}`).toString("base64url");
const decodeCursor = (cursor: string): number | undefined => {
  const match = /^ledger:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match?.[1] === undefined ? undefined : Number(match[1]);
};

/** `GET /balance` and `GET /ledger` (newest first, cursor pagination). */
export const apiLedgerRoutes: FastifyPluginAsync<{ ledger: LedgerService }> = async (app, options) => {
  app.get(
    "/balance",
    {
      schema: {
        tags: ["balance"],
        summary: "The prepaid balance",
        response: { 200: balanceSchema, ...commonErrors },
      },
    },
    async (request) => {
      const balance = await options.ledger.balance(principalOf(request).accountId);
      return {
        balance: balance.balance,
        currency: balance.currency,
        formatted: formatMicros(balance.balance),
      };
    },
  );

  app.get<{ Querystring: LedgerQuery }>(
    "/ledger",
    {
      schema: {
        tags: ["balance"],
        summary: "Ledger entries, newest first",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
            cursor: pageCursor,
          },
        },
        response: { 200: ledgerPageSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const beforeId = request.query.cursor === undefined ? undefined : decodeCursor(request.query.cursor);
      if (request.query.cursor !== undefined && beforeId === undefined) {
        return sendProblem(reply, {
          type: "about:blank",
          title: "Bad request",
          status: 400,
          detail: "The cursor is not one this server gave out.",
        });
      }
      const { limit } = request.query;
      const items = await options.ledger.entries(principalOf(request).accountId, { limit, beforeId });
      const last = items[items.length - 1];
      return { items, nextCursor: items.length === limit && last ? encodeCursor(last.id) : null };
    },
  );
};
