import type { FastifyPluginAsync } from "fastify";
import type { UsageAnalyticsService } from "../../../domains/analytics/usage-analytics.service.ts";
import type { LegalService } from "../../../domains/legal/legal.service.ts";
import type { LegalDocumentKind } from "../../../domains/legal/legal.types.ts";
import { addStaffGate, staffOf } from "./staff-gate.ts";

export interface LegalStaffRoutesOptions {
  legal: LegalService;
  analytics: UsageAnalyticsService;
  /** The operator's staff key (`ZAQROS_STAFF_API_KEY`), as for `/api/v1/staff/privacy`. */
  staffApiKey: string;
}

const MONTH = { type: "string", pattern: "^\\d{4}-(0[1-9]|1[0-2])$", description: "YYYY-MM (UTC)" } as const;

/**
 * Staff routes of the data lifecycle until the staff console exists, behind the same operator key
 * and staff name as `/api/v1/staff/privacy`: publishing a new version of the Terms or the Privacy
 * Policy (`POST /api/v1/staff/legal/versions`) and aggregated usage analytics
 * (`GET /api/v1/staff/analytics/usage`). Register with `{ prefix: "/api/v1/staff" }`.
 */
export const legalStaffRoutes: FastifyPluginAsync<LegalStaffRoutesOptions> = async (app, options) => {
  addStaffGate(app, options.staffApiKey);

  app.get<{ Querystring: { from: string; to: string } }>(
    "/analytics/usage",
    {
      schema: {
        tags: ["staff"],
        summary: "Calls and billed minutes per destination country and month; small groups left out",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { from: MONTH, to: MONTH },
          required: ["from", "to"],
        },
      },
    },
    async (request) => options.analytics.callsByDestinationCountry(request.query.from, request.query.to),
  );

  app.post<{
    Body: {
      document: LegalDocumentKind;
      version: string;
      body: string;
      effectiveDate?: string;
      material: boolean;
      summary?: string;
      title?: string;
    };
  }>(
    "/legal/versions",
    {
      schema: {
        tags: ["staff"],
        summary: "Publish a new version of the Terms or the Privacy Policy",
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            document: { type: "string", enum: ["terms", "privacy"] },
            version: { type: "string", minLength: 1, maxLength: 40 },
            body: { type: "string", minLength: 1, maxLength: 200_000 },
            effectiveDate: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
            material: { type: "boolean" },
            summary: { type: "string", maxLength: 2000 },
            title: { type: "string", maxLength: 200 },
          },
          required: ["document", "version", "body", "material"],
        },
      },
    },
    async (request, reply) => {
      const input = request.body;
      const { document, notified } = await options.legal.publish({
        ...input,
        effectiveAt: input.effectiveDate ? new Date(`${input.effectiveDate}T00:00:00.000Z`) : undefined,
      });
      request.log.info(
        {
          staff: staffOf(request),
          document: document.document,
          version: document.version,
          notified,
        },
        "legal document published",
      );
      const { body: _body, ...shown } = document;
      return reply.status(201).send({ document: shown, notified });
    },
  );
};
