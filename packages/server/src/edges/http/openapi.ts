import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";

/** The OpenAPI 3.1 document's frame; @fastify/swagger fills in paths from the route schemas. */
export const OPENAPI_OPTIONS: FastifyDynamicSwaggerOptions = {
  openapi: {
    openapi: "3.1.0",
    info: {
      title: "Zaqros API",
      version: "1",
      description:
        "The customer API of Zaqros. Authenticate with `Authorization: Bearer <key>` (never in a URL). Money is in integer micro-units (1 unit = 1,000,000). Errors are RFC 9457 problem+json.",
    },
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A zq_live_ API key" } },
    },
    security: [{ apiKey: [] }],
  },
};
