import type { FastifyPluginAsync } from "fastify";
import type { ApiKeysService } from "../../../domains/apikeys/api-keys.service.ts";
import type { ApiKeyScope } from "../../../domains/apikeys/api-keys.types.ts";
import { principalOf } from "./api-authentication.ts";
import { commonErrors, nullableString, problemSchema } from "./api-schemas.ts";

const keyProperties = {
  id: { type: "string" },
  name: { type: "string" },
  scope: { type: "string", enum: ["read", "read-write"] },
  prefix: { type: "string", description: "The first characters of the key." },
  createdAt: { type: "string", format: "date-time" },
  lastUsedAt: nullableString,
  revokedAt: nullableString,
} as const;
const keyRequired = ["id", "name", "scope", "prefix", "createdAt", "lastUsedAt", "revokedAt"] as const;

const keySchema = {
  type: "object",
  additionalProperties: false,
  properties: keyProperties,
  required: keyRequired,
} as const;

const BODY_LIMIT = 4 * 1024;

/** `GET /api-keys`, `POST /api-keys` (the key is in that answer only), `DELETE /api-keys/{id}`. */
export const apiKeysRoutes: FastifyPluginAsync<{ apiKeys: ApiKeysService }> = async (app, options) => {
  app.get(
    "/api-keys",
    {
      schema: {
        tags: ["api-keys"],
        summary: "The account's API keys (never the keys themselves)",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            properties: { items: { type: "array", items: keySchema } },
            required: ["items"],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => ({ items: await options.apiKeys.list(principalOf(request).accountId) }),
  );

  app.post<{ Body: { name: string; scope: ApiKeyScope } }>(
    "/api-keys",
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ["api-keys"],
        summary: "Make an API key; the answer holds the key, shown once",
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            name: { type: "string", minLength: 1, maxLength: 100 },
            scope: { type: "string", enum: ["read", "read-write"] },
          },
          required: ["name", "scope"],
        },
        response: {
          201: {
            type: "object",
            additionalProperties: false,
            properties: { ...keyProperties, key: { type: "string", description: "Shown this once." } },
            required: [...keyRequired, "key"],
          },
          409: problemSchema,
          413: problemSchema,
          422: problemSchema,
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const { secret, ...key } = await options.apiKeys.create(principalOf(request).accountId, request.body);
      return reply
        .status(201)
        .header("cache-control", "no-store")
        .send({ ...key, key: secret });
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api-keys/:id",
    {
      schema: {
        tags: ["api-keys"],
        summary: "Revoke an API key",
        params: {
          type: "object",
          additionalProperties: false,
          properties: { id: { type: "string", maxLength: 100 } },
          required: ["id"],
        },
        response: { 204: { type: "null", description: "Revoked" }, 404: problemSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      await options.apiKeys.revoke(principalOf(request).accountId, request.params.id);
      return reply.status(204).send();
    },
  );
};
