import type { FastifyPluginAsync } from "fastify";
import type { AccountsService } from "../../../domains/accounts/accounts.service.ts";
import { principalOf } from "./api-authentication.ts";
import { commonErrors, nullableString } from "./api-schemas.ts";

const accountSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    email: { type: "string" },
    phone: nullableString,
    status: { type: "string", enum: ["active", "suspended", "closed"] },
    country: { type: "string" },
    currency: { type: "string" },
    callerId: nullableString,
    createdAt: { type: "string", format: "date-time" },
  },
  required: ["id", "name", "email", "phone", "status", "country", "currency", "callerId", "createdAt"],
} as const;

/** `GET /account`: the account the key or session acts for. */
export const apiAccountRoutes: FastifyPluginAsync<{ accounts: AccountsService }> = async (app, options) => {
  app.get(
    "/account",
    {
      schema: {
        tags: ["account"],
        summary: "The account",
        response: { 200: accountSchema, ...commonErrors },
      },
    },
    async (request) => options.accounts.get(principalOf(request).accountId),
  );
};
