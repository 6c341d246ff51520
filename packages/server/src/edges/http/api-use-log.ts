import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiUse } from "../../domains/identity/identity.service.ts";
import "./routes/api-authentication.ts";

/**
 * An onResponse hook for the root app: after a request authenticated with an API key is
 * answered, hands its address, user agent and key to the connection log (which keeps one entry
 * per key and address an hour). It runs after the answer is sent, so it never slows or fails a
 * request; a failure to write is logged.
 */
export function logApiUse(identity: { recordApiUse(use: ApiUse): Promise<boolean> }) {
  return async function apiUseLog(request: FastifyRequest, _reply: FastifyReply) {
    const principal = request.apiPrincipal;
    if (principal?.via !== "api-key" || principal.keyId === undefined) return;
    try {
      await identity.recordApiUse({
        accountId: principal.accountId,
        apiKeyId: principal.keyId,
        ipAddress: request.ip ?? null,
        userAgent: request.headers["user-agent"] ?? null,
      });
    } catch (error) {
      request.log.warn({ err: error }, "could not record API use in the connection log");
    }
  };
}
