/** JSON Schemas shared by the /api/v1 routes; the OpenAPI document is generated from them. */

export const E164_PATTERN = "^\\+[1-9][0-9]{6,14}$";

export const problemSchema = {
  type: "object",
  description: "An RFC 9457 problem details body (application/problem+json).",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string" },
    instance: { type: "string" },
  },
  required: ["type", "title", "status"],
} as const;

/** The error answers every authenticated route may give, for the OpenAPI document. */
export const commonErrors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  429: problemSchema,
} as const;

export const nullableString = { type: ["string", "null"] } as const;

export const pageCursor = {
  type: "string",
  minLength: 1,
  maxLength: 200,
  description: "The nextCursor of the previous page.",
} as const;
