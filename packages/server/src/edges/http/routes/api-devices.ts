import type { FastifyPluginAsync } from "fastify";
import type { DevicesService } from "../../../domains/devices/devices.service.ts";
import { DomainError } from "../../../domains/domain-error.ts";
import { principalOf } from "./api-authentication.ts";
import { commonErrors, nullableString, problemSchema } from "./api-schemas.ts";

const deviceProperties = {
  id: { type: "string" },
  username: { type: "string" },
  realm: { type: "string", description: "The SIP domain to register with." },
  label: nullableString,
  createdAt: { type: "string", format: "date-time" },
} as const;
const deviceRequired = ["id", "username", "realm", "label", "createdAt"] as const;

const deviceSchema = {
  type: "object",
  additionalProperties: false,
  properties: deviceProperties,
  required: deviceRequired,
} as const;

const provisionedSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...deviceProperties,
    password: {
      type: "string",
      description: "The SIP password. Shown this once; only digest hashes are kept.",
    },
  },
  required: [...deviceRequired, "password"],
} as const;

/** Small bodies only: a label is all a new device takes. */
const BODY_LIMIT = 4 * 1024;

/**
 * `GET /devices`, `GET /devices/{id}`, `POST /devices` (the SIP password is in that answer only),
 * `DELETE /devices/{id}`.
 */
export const apiDevicesRoutes: FastifyPluginAsync<{ devices: DevicesService }> = async (app, options) => {
  app.get(
    "/devices",
    {
      schema: {
        tags: ["devices"],
        summary: "The account's SIP phones",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            properties: { items: { type: "array", items: deviceSchema } },
            required: ["items"],
          },
          ...commonErrors,
        },
      },
    },
    async (request) => ({ items: await options.devices.list(principalOf(request).accountId) }),
  );

  app.get<{ Params: { id: string } }>(
    "/devices/:id",
    {
      schema: {
        tags: ["devices"],
        summary: "One SIP phone",
        params: {
          type: "object",
          additionalProperties: false,
          properties: { id: { type: "string", maxLength: 100 } },
          required: ["id"],
        },
        response: { 200: deviceSchema, 404: problemSchema, ...commonErrors },
      },
    },
    async (request) => {
      const devices = await options.devices.list(principalOf(request).accountId);
      const device = devices.find((d) => d.id === request.params.id);
      if (!device) throw new DomainError("DEVICE.NOT_FOUND", "No device has that id.");
      return device;
    },
  );

  app.post<{ Body: { label?: string } }>(
    "/devices",
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ["devices"],
        summary: "Add a SIP phone; the answer holds its password, shown once",
        body: {
          type: "object",
          additionalProperties: false,
          properties: { label: { type: "string", minLength: 1, maxLength: 100 } },
        },
        response: { 201: provisionedSchema, 409: problemSchema, 413: problemSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      const device = await options.devices.provision(principalOf(request).accountId, request.body?.label);
      return reply.status(201).header("cache-control", "no-store").send(device);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/devices/:id",
    {
      schema: {
        tags: ["devices"],
        summary: "Remove a SIP phone; its password stops working at once",
        params: {
          type: "object",
          additionalProperties: false,
          properties: { id: { type: "string", maxLength: 100 } },
          required: ["id"],
        },
        response: { 204: { type: "null", description: "Removed" }, 404: problemSchema, ...commonErrors },
      },
    },
    async (request, reply) => {
      await options.devices.remove(principalOf(request).accountId, request.params.id);
      return reply.status(204).send();
    },
  );
};
