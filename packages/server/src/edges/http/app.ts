import { randomUUID } from "node:crypto";
import cookie from "@fastify/cookie";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { Counter, type Registry } from "prom-client";
import type { Logger } from "../../logging/logger.ts";
import { logApiUse } from "./api-use-log.ts";
import { closeWithApp, type HttpsOptions, redirectPlainHttp } from "./https.ts";
import { problemErrorHandler, sendProblem } from "./problem.ts";
import { type ApiV1Options, apiV1 } from "./routes/api-v1.ts";
import { type AuthRoutesOptions, authRoutes } from "./routes/auth.ts";
import { healthRoutes } from "./routes/health.ts";
import { type LegalRoutesOptions, legalRoutes } from "./routes/legal.ts";
import { legalStaffRoutes } from "./routes/legal-staff.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { type PaymentsRoutesOptions, paymentsRoutes } from "./routes/payments.ts";
import { paymentsWebhookRoutes } from "./routes/payments-webhook.ts";
import { portalStaticRoutes } from "./routes/portal-static.ts";
import { type PrivacyRoutesOptions, privacyRoutes } from "./routes/privacy.ts";
import { privacyStaffRoutes } from "./routes/privacy-staff.ts";
import { type SipSettings, sipSettingsRoutes } from "./routes/sip-settings.ts";
import { addSecurityHeaders } from "./security-headers.ts";

export interface HttpAppDeps {
  logger: Logger;
  metrics: Registry;
  databaseReady: () => Promise<boolean>;
  /** The REST API at /api/v1 with its docs; left out when not given (tools that need no API). */
  api?: ApiV1Options | undefined;
  /** Sign-up, sign-in and sessions at /api/v1/auth; left out when not given. */
  auth?: AuthRoutesOptions | undefined;
  /** Top-ups at /api/v1/topups, PayPal's return and cancel pages and its webhook; left out when not given. */
  payments?: PaymentsRoutesOptions | undefined;
  /** The Terms and Privacy Policy at /api/v1/legal (public); left out when not given. */
  legal?: LegalRoutesOptions | undefined;
  /**
   * The customer's privacy rights at /api/v1/privacy, and with `staffApiKey` the staff side at
   * /api/v1/staff/privacy; left out when not given.
   */
  privacy?: (PrivacyRoutesOptions & { staffApiKey?: string | undefined }) | undefined;
  /** The built portal served at `/`; default packages/portal/dist. */
  portalRoot?: string | undefined;
  /** Where phones connect, shown on the portal's Phones page; `/api/v1/sip-settings` is left out without it. */
  sipSettings?: SipSettings | undefined;
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /** Serve HTTPS with plain HTTP beside it (see https.ts); without it the app has one plain server. */
  https?: HttpsOptions | undefined;
  /**
   * Addresses or CIDRs of TLS-terminating proxies: only from these peers are X-Forwarded-For,
   * -Proto and -Host believed (request.ip, request.protocol, request.host). Empty: nobody.
   */
  trustProxy?: readonly string[] | undefined;
}

/** Builds the HTTP edge. It receives everything it uses; it builds no services of its own. */
export function buildHttpApp(deps: HttpAppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit ?? 256 * 1024,
    // Unknown properties are refused, not silently dropped, where a schema says additionalProperties: false.
    ajv: { customOptions: { removeAdditional: false } },
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: "requestId" }),
    // In-flight requests finish on close; idle keep-alive sockets do not hold shutdown up.
    forceCloseConnections: "idle",
    return503OnClosing: true,
    trustProxy: deps.trustProxy && deps.trustProxy.length > 0 ? [...deps.trustProxy] : false,
    ...(deps.https ? { serverFactory: deps.https.servers.serverFactory } : {}),
  });
  addSecurityHeaders(app);
  if (deps.https) {
    closeWithApp(app, deps.https.servers);
    app.addHook("onRequest", redirectPlainHttp(deps.https));
  }
  // Where each API key is used from, for the customer's Security page (see IdentityService.recordApiUse).
  if (deps.auth) app.addHook("onResponse", logApiUse(deps.auth.identity));

  const requests = new Counter({
    name: "zaqros_http_requests_total",
    help: "HTTP requests answered, by route and status.",
    labelNames: ["method", "route", "status"],
    registers: [deps.metrics],
  });
  app.addHook("onResponse", async (request, reply) => {
    requests.inc({
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status: String(reply.statusCode),
    });
  });

  // Responses finished during shutdown close their connection, so keep-alive clients do not hold it up.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    if (closing) reply.header("connection", "close");
    return payload;
  });

  app.setErrorHandler(problemErrorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { type: "about:blank", title: "Not found", status: 404, instance: request.url }),
  );

  // Before every route plugin: cookies are parsed app-wide so any plugin can read the session (session.ts).
  app.register(cookie);
  app.register(healthRoutes, { databaseReady: deps.databaseReady });
  app.register(metricsRoutes, { registry: deps.metrics });
  app.register(portalStaticRoutes, { root: deps.portalRoot });
  if (deps.sipSettings) app.register(sipSettingsRoutes, { settings: deps.sipSettings });
  if (deps.api) app.register(apiV1, deps.api);
  if (deps.auth) app.register(authRoutes, { ...deps.auth, prefix: "/api/v1/auth" });
  if (deps.payments) {
    app.register(paymentsRoutes, deps.payments);
    app.register(paymentsWebhookRoutes, { payments: deps.payments.payments });
  }
  if (deps.legal) app.register(legalRoutes, { ...deps.legal, prefix: "/api/v1/legal" });
  if (deps.legal?.staff) {
    app.register(legalStaffRoutes, { ...deps.legal.staff, legal: deps.legal.legal, prefix: "/api/v1/staff" });
  }
  if (deps.privacy) {
    app.register(privacyRoutes, { ...deps.privacy, prefix: "/api/v1/privacy" });
    const { staffApiKey } = deps.privacy;
    if (staffApiKey) {
      app.register(privacyStaffRoutes, {
        privacy: deps.privacy.privacy,
        staffApiKey,
        prefix: "/api/v1/staff/privacy",
      });
    }
  }
  return app;
}
