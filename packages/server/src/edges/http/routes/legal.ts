import type { FastifyPluginAsync } from "fastify";
import type { LegalService } from "../../../domains/legal/legal.service.ts";
import type { LegalDocument } from "../../../domains/legal/legal.types.ts";
import { nullableString } from "./api-schemas.ts";
import type { LegalStaffRoutesOptions } from "./legal-staff.ts";

export interface LegalRoutesOptions {
  legal: LegalService;
  /** With the operator's staff key: publishing and usage analytics at /api/v1/staff (legal-staff.ts). */
  staff?: Omit<LegalStaffRoutesOptions, "legal"> | undefined;
}

const documentSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    document: { type: "string", enum: ["terms", "privacy"] },
    version: { type: "string" },
    title: { type: "string" },
    body: { type: "string", description: "Plain text; lines starting with '- ' are list items." },
    effectiveAt: {
      type: "string",
      format: "date-time",
      description: "In force from here; the 'last updated' date.",
    },
    publishedAt: { type: "string", format: "date-time" },
    material: {
      type: "boolean",
      description: "A material change is emailed and announced in the portal before it takes effect.",
    },
    summary: { ...nullableString, description: "What changes." },
  },
  required: ["document", "version", "title", "body", "effectiveAt", "publishedAt", "material", "summary"],
} as const;

const publicView = (d: LegalDocument) => ({
  document: d.document,
  version: d.version,
  title: d.title,
  body: d.body,
  effectiveAt: d.effectiveAt,
  publishedAt: d.publishedAt,
  material: d.material,
  summary: d.summary,
});

/**
 * `GET /api/v1/legal`: the Terms and the Privacy Policy in force, and the changes published but
 * not yet in force (privacy policy §12). Public: anyone may read what they would agree to.
 * Register with `{ prefix: "/api/v1/legal" }`.
 */
export const legalRoutes: FastifyPluginAsync<LegalRoutesOptions> = async (app, { legal }) => {
  app.get(
    "/",
    {
      schema: {
        tags: ["legal"],
        summary: "The Terms and Privacy Policy in force, and announced changes",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            properties: {
              current: { type: "array", items: documentSchema },
              upcoming: { type: "array", items: documentSchema },
            },
            required: ["current", "upcoming"],
          },
        },
      },
    },
    async () => {
      const overview = await legal.overview();
      return { current: overview.current.map(publicView), upcoming: overview.upcoming.map(publicView) };
    },
  );
};
