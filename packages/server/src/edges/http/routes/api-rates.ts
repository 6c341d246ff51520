import type { FastifyPluginAsync } from "fastify";
import type { RatingService } from "../../../domains/rating/rating.service.ts";
import { principalOf } from "./api-authentication.ts";
import { commonErrors, E164_PATTERN, nullableString, problemSchema } from "./api-schemas.ts";

const rateSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    number: { type: "string" },
    prefix: nullableString,
    currency: { type: "string" },
    pricePerMinute: { type: "integer", description: "Micro-units per minute." },
    connectFee: { type: "integer" },
    initialIncrement: { type: "integer", description: "Seconds billed first." },
    subsequentIncrement: { type: "integer", description: "Seconds billed at a time after that." },
    minimumCharge: { type: "integer" },
  },
  required: [
    "number",
    "prefix",
    "currency",
    "pricePerMinute",
    "connectFee",
    "initialIncrement",
    "subsequentIncrement",
    "minimumCharge",
  ],
} as const;

/** `GET /rates?number=+E164`: the price to call a number now on the account's plan. */
export const apiRatesRoutes: FastifyPluginAsync<{ rating: RatingService; now: () => Date }> = async (
  app,
  options,
) => {
  app.get<{ Querystring: { number: string } }>(
    "/rates",
    {
      schema: {
        tags: ["rates"],
        summary: "The price to call a number on the account's plan",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            number: { type: "string", pattern: E164_PATTERN, description: "E.164, e.g. +442079460000" },
          },
          required: ["number"],
        },
        response: { 200: rateSchema, 404: problemSchema, 409: problemSchema, ...commonErrors },
      },
    },
    async (request) => {
      const rate = await options.rating.rateCall({
        accountId: principalOf(request).accountId,
        direction: "outbound",
        destination: request.query.number,
        at: options.now(),
      });
      return { ...rate, number: request.query.number };
    },
  );
};
