/** JSON schemas of the /api/v1/privacy and /api/v1/staff/privacy routes; Fastify validates every request against them. */

const body = (properties: Record<string, unknown>, required: readonly string[]) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});

const text = { type: "string", minLength: 1, maxLength: 4000 } as const;
const id = { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9-]+$" } as const;
const purpose = { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z0-9-]+$" } as const;
const email = { type: "string", minLength: 3, maxLength: 254 } as const;
const idParam = { params: body({ id }, ["id"]) } as const;

export const privacySchemas = {
  empty: { body: { anyOf: [{ type: "null" }, body({}, [])] } },
  idParam,
  purposeParam: { params: body({ purpose }, ["purpose"]) },
  erasure: { body: { anyOf: [{ type: "null" }, body({ details: text }, [])] } },
  toggle: { body: body({ on: { type: "boolean" } }, ["on"]) },
  rectification: { body: body({ details: text }, ["details"]) },
  childReport: {
    body: body({ accountEmail: email, reporterEmail: email, details: text }, [
      "accountEmail",
      "reporterEmail",
    ]),
  },
  staffList: {
    querystring: body(
      {
        status: {
          type: "string",
          enum: ["received", "cooling-off", "awaiting-confirmation", "completed", "cancelled", "refused"],
        },
        kind: {
          type: "string",
          enum: ["access", "erasure", "restriction", "objection", "rectification", "child-report"],
        },
        limit: { type: "integer", minimum: 1, maximum: 1000 },
      },
      [],
    ),
  },
  staffRecord: {
    body: body(
      {
        accountEmail: email,
        kind: { type: "string", enum: ["access", "erasure", "restriction", "objection", "rectification"] },
        details: text,
      },
      ["accountEmail", "kind"],
    ),
  },
  staffReason: { ...idParam, body: body({ reason: text }, ["reason"]) },
  staffNote: { ...idParam, body: body({ note: text }, ["note"]) },
} as const;
