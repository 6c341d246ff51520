import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { PrivacyService } from "../../../domains/privacy/privacy.service.ts";
import { privacySchemas as S } from "./privacy-schemas.ts";
import { addStaffGate, staffOf } from "./staff-gate.ts";

export interface PrivacyStaffRoutesOptions {
  privacy: PrivacyService;
  /** The operator's staff key (`ZAQROS_STAFF_API_KEY`); the routes are not registered without it. */
  staffApiKey: string;
}

/**
 * `/api/v1/staff/privacy`: the staff side of data-subject requests until the staff console and
 * its roles exist. One operator key from the configuration, sent as `Authorization: Bearer`, and
 * the name of the person acting in `x-staff-member`, which goes into every request's history.
 * Customer API keys never get in: they act for one account, and this acts on all of them.
 */
export const privacyStaffRoutes: FastifyPluginAsync<PrivacyStaffRoutesOptions> = async (app, options) => {
  addStaffGate(app, options.staffApiKey);

  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get("/requests", { schema: S.staffList }, async (request) => {
    const query = request.query as { status?: string; kind?: string; limit?: number };
    return { requests: await options.privacy.listRequests(query) };
  });

  app.post("/requests", { schema: S.staffRecord }, async (request, reply) => {
    const body = request.body as {
      accountEmail: string;
      kind: "access" | "erasure" | "restriction" | "objection" | "rectification";
      details?: string;
    };
    const recorded = await options.privacy.recordRequestFromCustomer(body, staffOf(request));
    return reply.status(201).send({ request: recorded });
  });

  app.get("/requests/:id", { schema: S.idParam }, async (request) => ({
    request: await options.privacy.getRequest(idOf(request)),
  }));

  app.post("/requests/:id/extend", { schema: S.staffReason }, async (request) => ({
    request: await options.privacy.extendDeadline(
      idOf(request),
      staffOf(request),
      (request.body as { reason: string }).reason,
    ),
  }));

  app.post("/requests/:id/complete", { schema: S.staffNote }, async (request) => ({
    request: await options.privacy.completeRequest(
      idOf(request),
      staffOf(request),
      (request.body as { note: string }).note,
    ),
  }));

  app.post("/requests/:id/refuse", { schema: S.staffReason }, async (request) => ({
    request: await options.privacy.refuseRequest(
      idOf(request),
      staffOf(request),
      (request.body as { reason: string }).reason,
    ),
  }));

  app.post("/requests/:id/confirm-child", { schema: S.staffNote }, async (request) => ({
    request: await options.privacy.confirmChildReport(
      idOf(request),
      staffOf(request),
      (request.body as { note: string }).note,
    ),
  }));
};
