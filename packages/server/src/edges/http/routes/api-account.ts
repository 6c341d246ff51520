import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { AccountsService } from "../../../domains/accounts/accounts.service.ts";
import { sendProblem } from "../problem.ts";
import { principalOf } from "./api-authentication.ts";
import { commonErrors, nullableString, problemSchema } from "./api-schemas.ts";

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

const profileCorrection = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: "string", minLength: 1, maxLength: 200, description: "Full name." },
    phone: {
      type: ["string", "null"],
      maxLength: 32,
      description:
        "Contact number: +E.164, or a national number of the account's country; stored as E.164. null removes it.",
    },
  },
} as const;

/**
 * The validator coerces scalar types (right for query strings: `limit=50`), which would read a
 * JSON `{"name": 42}` or `{"name": ["x"]}` as a name. A correction must be what it says, so the
 * raw JSON types are checked first.
 */
async function refuseCoercibleTypes(request: FastifyRequest, reply: FastifyReply) {
  const body = request.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return;
  const { name, phone } = body as Record<string, unknown>;
  const wrong =
    name !== undefined && typeof name !== "string"
      ? "name must be a string"
      : phone !== undefined && phone !== null && typeof phone !== "string"
        ? "phone must be a string or null"
        : undefined;
  if (wrong === undefined) return;
  return sendProblem(reply, {
    type: "about:blank",
    title: "Bad request",
    status: 400,
    detail: `body/${wrong}`,
    code: "FST_ERR_VALIDATION",
    instance: request.url,
  });
}

/**
 * `GET /account`: the account the key or session acts for. `PATCH /account`: the customer corrects
 * their name or phone (GDPR Art. 16). The email address is changed through
 * `/api/v1/auth/email`, which proves the new address before it takes effect.
 */
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

  app.patch(
    "/account",
    {
      schema: {
        tags: ["account"],
        summary: "Correct the name or phone number",
        description:
          "Only the properties sent change. The email address is not changed here: use POST /api/v1/auth/email, which mails a link to the new address and switches only when it is followed.",
        body: profileCorrection,
        response: { 200: accountSchema, ...commonErrors, 422: problemSchema },
      },
      preValidation: refuseCoercibleTypes,
    },
    async (request) =>
      options.accounts.correctProfile(
        principalOf(request).accountId,
        request.body as { name?: string; phone?: string | null },
      ),
  );
};
