import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { UsageAnalyticsService } from "../../../domains/analytics/usage-analytics.service.ts";
import type { LegalService } from "../../../domains/legal/legal.service.ts";
import type { LegalDocumentKind } from "../../../domains/legal/legal.types.ts";
import { sendProblem } from "../problem.ts";

export interface LegalStaffRoutesOptions {
  legal: LegalService;
  analytics: UsageAnalyticsService;
  /** The operator's staff key (`ZAQROS_STAFF_API_KEY`), as for `/api/v1/staff/privacy`. */
  staffApiKey: string;
}

const STAFF_HEADER = "x-staff-member";
const MONTH = { type: "string", pattern: "^\\d{4}-(0[1-9]|1[0-2])$", description: "YYYY-MM (UTC)" } as const;

/**
 * Staff routes of the data lifecycle until the staff console exists, behind the same operator key
 * and staff name as `/api/v1/staff/privacy`: publishing a new version of the Terms or the Privacy
 * Policy (`POST /api/v1/staff/legal/versions`) and aggregated usage analytics
 * (`GET /api/v1/staff/analytics/usage`). Register with `{ prefix: "/api/v1/staff" }`.
 */
export const legalStaffRoutes: FastifyPluginAsync<LegalStaffRoutesOptions> = async (app, options) => {
  const expected = createHash("sha256").update(options.staffApiKey).digest();
  const refuse = (request: FastifyRequest, reply: FastifyReply, status: 401 | 422, detail: string) => {
    if (status === 401) reply.header("www-authenticate", 'Bearer realm="zaqros-staff"');
    return sendProblem(reply, {
      type: "about:blank",
      title: status === 401 ? "Staff key required" : "Name the staff member",
      status,
      detail,
      instance: request.url.split("?")[0],
    });
  };
  app.addHook("onRequest", async (request, reply) => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
    const sent = createHash("sha256")
      .update(match?.[1] ?? "")
      .digest();
    if (!match || !timingSafeEqual(sent, expected)) {
      return refuse(request, reply, 401, "Send the operator's staff key as Authorization: Bearer <key>.");
    }
    const staff = request.headers[STAFF_HEADER];
    if (typeof staff !== "string" || !/^[\w.@ -]{1,80}$/.test(staff)) {
      return refuse(request, reply, 422, `Say who is acting in the ${STAFF_HEADER} header.`);
    }
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("cache-control", "no-store");
    return payload;
  });

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
          staff: request.headers[STAFF_HEADER],
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
