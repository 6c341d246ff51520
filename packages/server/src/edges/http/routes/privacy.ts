import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { DomainError } from "../../../domains/domain-error.ts";
import { DEFAULT_SESSION_POLICY, type IdentityService } from "../../../domains/identity/identity.service.ts";
import { COMPLAINT_RIGHT } from "../../../domains/privacy/access-archive.ts";
import type { PrivacyService } from "../../../domains/privacy/privacy.service.ts";
import { isSameOrigin } from "../csrf.ts";
import { sendProblem } from "../problem.ts";
import { requireSession } from "../session.ts";
import { privacySchemas as S } from "./privacy-schemas.ts";

export interface PrivacyRoutesOptions {
  privacy: PrivacyService;
  identity: IdentityService;
  /** How recently the password must have been given to ask for erasure; identity's window by default. */
  reauthenticateSeconds?: number | undefined;
  now?: (() => Date) | undefined;
}

function accountOf(request: FastifyRequest): string {
  const session = request.portalSession;
  if (!session) throw new Error("route registered outside the session scope");
  return session.accountId;
}

/**
 * `/api/v1/privacy`: the customer's rights (privacy policy §9). Only the portal session gets in,
 * never an API key: these routes download everything and erase the account. Register with
 * `{ prefix: "/api/v1/privacy" }`. The child report is open to anyone (a parent has no session).
 */
export const privacyRoutes: FastifyPluginAsync<PrivacyRoutesOptions> = async (app, options) => {
  const { privacy, identity } = options;
  const now = options.now ?? (() => new Date());
  const reauthenticateMs =
    (options.reauthenticateSeconds ?? DEFAULT_SESSION_POLICY.reauthenticateSeconds) * 1000;
  app.decorateRequest("portalSession", undefined);

  app.register(async (open) => {
    open.addHook("preHandler", async (request, reply) => {
      if (!isSameOrigin(request)) {
        return sendProblem(reply, {
          type: "about:blank",
          title: "Cross-site request refused",
          status: 403,
          code: "HTTP.CSRF",
          instance: request.url,
        });
      }
    });
    open.post("/child-reports", { schema: S.childReport }, async (request, reply) => {
      await privacy.reportChild(
        request.body as { accountEmail: string; reporterEmail: string; details?: string },
      );
      return reply.status(202).send({ status: "received" });
    });
  });

  app.register(async (signedIn) => {
    signedIn.addHook("preHandler", requireSession(identity));
    signedIn.addHook("onSend", async (_request, reply, payload) => {
      reply.header("cache-control", "no-store");
      return payload;
    });

    signedIn.get("/overview", async (request) => {
      const accountId = accountOf(request);
      const requests = await privacy.requestsOf(accountId);
      return {
        preferences: await privacy.preferencesOf(accountId),
        consents: await privacy.consentStates(accountId),
        consentLedger: await privacy.consentLedger(accountId),
        requests,
        exports: await privacy.exportsOf(accountId),
        pendingErasure: requests.find((r) => r.kind === "erasure" && r.status === "cooling-off") ?? null,
        outstanding: await privacy.outstandingMatters(accountId),
        erasureCoolingOffDays: privacy.options.erasureCoolingOffDays,
        complaint: COMPLAINT_RIGHT,
      };
    });

    signedIn.post("/exports", { schema: S.empty }, async (request, reply) => {
      const archive = await privacy.requestExport(accountOf(request));
      return reply.status(archive.status === "ready" ? 201 : 202).send({ export: archive });
    });

    signedIn.get("/exports", async (request) => ({ exports: await privacy.exportsOf(accountOf(request)) }));

    signedIn.get("/exports/:id/archive", { schema: S.idParam }, async (request, reply) => {
      const { filename, bytes } = await privacy.downloadExport(
        accountOf(request),
        (request.params as { id: string }).id,
      );
      return reply
        .type("application/zip")
        .header("content-disposition", `attachment; filename="${filename}"`)
        .send(bytes);
    });

    signedIn.post("/erasure", { schema: S.erasure }, async (request, reply) => {
      const accountId = accountOf(request);
      // Closing the account is as sensitive as a password change: a borrowed session is not enough.
      const authenticatedAt = Date.parse(request.portalSession?.authenticatedAt ?? "");
      if (!(now().getTime() - authenticatedAt <= reauthenticateMs)) {
        throw new DomainError(
          "IDENTITY.REAUTHENTICATION_REQUIRED",
          "Enter your password again to ask for erasure.",
        );
      }
      const details = (request.body as { details?: string } | null)?.details;
      const erasure = await privacy.requestErasure(accountId, details);
      return reply
        .status(202)
        .send({ request: erasure, outstanding: await privacy.outstandingMatters(accountId) });
    });

    signedIn.delete("/erasure", async (request) => ({
      request: await privacy.cancelErasure(accountOf(request)),
    }));

    signedIn.put("/restriction", { schema: S.toggle }, async (request) => ({
      preferences: await privacy.setRestriction(accountOf(request), (request.body as { on: boolean }).on),
    }));

    signedIn.put("/objection", { schema: S.toggle }, async (request) => ({
      preferences: await privacy.setObjection(accountOf(request), (request.body as { on: boolean }).on),
    }));

    signedIn.get("/consents", async (request) => {
      const accountId = accountOf(request);
      return {
        consents: await privacy.consentStates(accountId),
        ledger: await privacy.consentLedger(accountId),
      };
    });

    signedIn.post("/consents/:purpose", { schema: S.purposeParam }, async (request, reply) => {
      const ledger = await privacy.giveConsent(
        accountOf(request),
        (request.params as { purpose: string }).purpose,
      );
      return reply.status(201).send({ ledger });
    });

    signedIn.delete("/consents/:purpose", { schema: S.purposeParam }, async (request) => ({
      ledger: await privacy.withdrawConsent(
        accountOf(request),
        (request.params as { purpose: string }).purpose,
      ),
    }));

    signedIn.get("/requests", async (request) => ({
      requests: await privacy.requestsOf(accountOf(request)),
    }));

    signedIn.post("/rectification", { schema: S.rectification }, async (request, reply) => {
      const created = await privacy.requestRectification(
        accountOf(request),
        (request.body as { details: string }).details,
      );
      return reply.status(201).send({ request: created });
    });
  });
};
