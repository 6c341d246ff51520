import type { FastifyPluginAsync } from "fastify";
import type { NumbersService } from "../../../domains/numbers/numbers.service.ts";
import { principalOf } from "./api-authentication.ts";
import { commonErrors } from "./api-schemas.ts";

const numberSchema = {
  type: "object",
  additionalProperties: false,
  properties: { e164: { type: "string" }, createdAt: { type: "string", format: "date-time" } },
  required: ["e164", "createdAt"],
} as const;

/** `GET /numbers`: the phone numbers (DIDs) the account owns. */
export const apiNumbersRoutes: FastifyPluginAsync<{ numbers: NumbersService }> = async (app, options) => {
  app.get(
    "/numbers",
    {
      schema: {
        tags: ["numbers"],
        summary: "The account's phone numbers",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            properties: { items: { type: "array", items: numberSchema } },
            required: ["items"],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => ({ items: await options.numbers.list(principalOf(request).accountId) }),
  );
};
