import type { CookieSerializeOptions } from "@fastify/cookie";
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { IdentityService } from "../../domains/identity/identity.service.ts";
import type { SessionInfo } from "../../domains/identity/identity.types.ts";
import { hasCsrfToken, isSameOrigin, SAFE_METHODS } from "./csrf.ts";
import { sendProblem } from "./problem.ts";

/**
 * The one cookie Zaqros sets. `__Host-` makes the browser refuse it unless it is Secure, has
 * Path=/ and no Domain, so no other host or path can plant or read it.
 */
export const SESSION_COOKIE = "__Host-zq_session";

/** No Max-Age: the browser drops it on close; the server ends it at the idle or absolute limit anyway. */
export const SESSION_COOKIE_OPTIONS: CookieSerializeOptions = {
  secure: true,
  httpOnly: true,
  sameSite: "lax",
  path: "/",
};

/** The signed-in session of a request that passed {@link requireSession}. */
export interface RequestSession extends SessionInfo {
  /** The cookie value: needed to end this very session; never logged (the redaction list names it). */
  readonly token: string;
  readonly csrfToken: string;
}

declare module "fastify" {
  interface FastifyRequest {
    portalSession: RequestSession | undefined;
  }
}

/** The session a request's cookie names, or undefined. Reads, refreshes the idle timer, checks nothing else. */
export async function readSession(
  identity: IdentityService,
  request: FastifyRequest,
): Promise<RequestSession | undefined> {
  const token = request.cookies?.[SESSION_COOKIE];
  if (!token || token.length > 100) return undefined;
  const session = await identity.resumeSession(token);
  return session && { ...session, token, csrfToken: identity.csrfTokenFor(token) };
}

function refuse(
  reply: FastifyReply,
  request: FastifyRequest,
  status: 401 | 403,
  title: string,
  detail: string,
) {
  return sendProblem(reply, {
    type: "about:blank",
    title,
    status,
    detail,
    code: status === 401 ? "IDENTITY.NOT_SIGNED_IN" : "HTTP.CSRF",
    instance: request.url.split("?")[0],
  });
}

/**
 * A preHandler for any plugin whose routes need a signed-in customer:
 *
 * ```ts
 * app.addHook("preHandler", requireSession(identity));
 * // in a handler: request.portalSession!.accountId
 * ```
 *
 * It answers 401 without a live session, and 403 when a state-changing request (anything but
 * GET, HEAD, OPTIONS) comes from another origin or lacks the session's `x-csrf-token` header.
 * Register `@fastify/cookie` on the app first (app.ts does). Decorate the request in the same scope:
 * `app.decorateRequest("portalSession", undefined)`.
 */
export function requireSession(identity: IdentityService): preHandlerAsyncHookHandler {
  return async function sessionGate(request, reply) {
    const session = await readSession(identity, request);
    if (!session) return refuse(reply, request, 401, "Sign in required", "Sign in to continue.");
    if (!SAFE_METHODS.has(request.method)) {
      if (!isSameOrigin(request) || !hasCsrfToken(request, session.csrfToken)) {
        return refuse(
          reply,
          request,
          403,
          "Cross-site request refused",
          "Send the x-csrf-token header you received at sign-in, from this site's own pages.",
        );
      }
    }
    request.portalSession = session;
  };
}

/**
 * The portal session as a way into other APIs (the `SessionAuthenticator` of /api/v1): the account
 * of a live session, with the same origin and CSRF checks as {@link requireSession} on
 * state-changing requests; undefined otherwise.
 */
export function sessionAuthenticator(identity: IdentityService) {
  return async (request: FastifyRequest): Promise<{ accountId: string } | undefined> => {
    const session = await readSession(identity, request);
    if (!session) return undefined;
    if (!SAFE_METHODS.has(request.method)) {
      if (!isSameOrigin(request) || !hasCsrfToken(request, session.csrfToken)) return undefined;
    }
    return { accountId: session.accountId };
  };
}
