import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyPluginAsync } from "fastify";
import type { AccountsService } from "../../../domains/accounts/accounts.service.ts";
import type { ApiKeysService } from "../../../domains/apikeys/api-keys.service.ts";
import type { CdrService } from "../../../domains/cdr/cdr.service.ts";
import type { DevicesService } from "../../../domains/devices/devices.service.ts";
import { DomainError } from "../../../domains/domain-error.ts";
import type { LedgerService } from "../../../domains/ledger/ledger.service.ts";
import type { NumbersService } from "../../../domains/numbers/numbers.service.ts";
import type { PaymentsService } from "../../../domains/payments/payments.service.ts";
import type { RatingService } from "../../../domains/rating/rating.service.ts";
import { OPENAPI_OPTIONS } from "../openapi.ts";
import { apiAccountRoutes } from "./api-account.ts";
import { apiAuthenticate, refuseKeyInUrl, type SessionAuthenticator } from "./api-authentication.ts";
import { apiCdrsRoutes } from "./api-cdrs.ts";
import { apiDevicesRoutes } from "./api-devices.ts";
import { apiKeysRoutes } from "./api-keys.ts";
import { apiLedgerRoutes } from "./api-ledger.ts";
import { apiNumbersRoutes } from "./api-numbers.ts";
import { apiRatesRoutes } from "./api-rates.ts";
import { apiTopUpsRoutes } from "./api-topups.ts";

/** The services the REST API uses. */
export interface ApiServices {
  accounts: AccountsService;
  apiKeys: ApiKeysService;
  ledger: LedgerService;
  cdrs: CdrService;
  devices: DevicesService;
  numbers: NumbersService;
  rating: RatingService;
  /** Top-ups through PayPal: `/api/v1/topups` (it says itself when payments are not configured). */
  payments?: PaymentsService | undefined;
}

export interface ApiV1Options {
  services: ApiServices;
  /** The portal session as a second way in, once identity provides it. */
  session?: SessionAuthenticator | undefined;
  /** Requests each key (or session account) may make per window; default 600 a minute. */
  rateLimit?: { max: number; timeWindowMs: number } | undefined;
  now?: (() => Date) | undefined;
}

/**
 * `/api/v1`: the OpenAPI document at `/api/v1/openapi.json`, browsable docs at `/api/docs`, and
 * one plugin per domain's resources behind a single `authenticate` preHandler and a per-key rate
 * limit. Registered without a prefix; it sets its own.
 */
export const apiV1: FastifyPluginAsync<ApiV1Options> = async (app, options) => {
  const now = options.now ?? (() => new Date());
  await app.register(swagger, OPENAPI_OPTIONS);
  await app.register(swaggerUi, { routePrefix: "/api/docs" });

  app.get("/api/v1/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  await app.register(
    async (api) => {
      api.decorateRequest("apiPrincipal", undefined);
      api.addHook("onRequest", refuseKeyInUrl);
      api.addHook(
        "preHandler",
        apiAuthenticate({ apiKeys: options.services.apiKeys, session: options.session }),
      );
      await api.register(rateLimit, {
        hook: "preHandler",
        max: options.rateLimit?.max ?? 600,
        timeWindow: options.rateLimit?.timeWindowMs ?? 60_000,
        keyGenerator: (request) => {
          const principal = request.apiPrincipal;
          return principal ? (principal.keyId ?? `session:${principal.accountId}`) : `ip:${request.ip}`;
        },
        errorResponseBuilder: (_request, context) =>
          new DomainError("APIKEY.RATE_LIMITED", `Too many requests; retry after ${context.after}.`),
      });
      const { services } = options;
      await api.register(apiAccountRoutes, { accounts: services.accounts });
      await api.register(apiLedgerRoutes, { ledger: services.ledger });
      await api.register(apiCdrsRoutes, { cdrs: services.cdrs, now });
      await api.register(apiDevicesRoutes, { devices: services.devices });
      await api.register(apiNumbersRoutes, { numbers: services.numbers });
      await api.register(apiRatesRoutes, { rating: services.rating, now });
      await api.register(apiKeysRoutes, { apiKeys: services.apiKeys });
      if (services.payments) await api.register(apiTopUpsRoutes, { payments: services.payments });
    },
    { prefix: "/api/v1" },
  );
};
