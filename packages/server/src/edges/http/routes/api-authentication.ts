import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { ApiKeysService } from "../../../domains/apikeys/api-keys.service.ts";
import type { ApiKeyScope } from "../../../domains/apikeys/api-keys.types.ts";
import { sendProblem } from "../problem.ts";

/** Who an API request acts for, and how it proved it. */
export interface ApiPrincipal {
  accountId: string;
  scope: ApiKeyScope;
  /** The API key used; undefined for a portal session. */
  keyId: string | undefined;
  via: "api-key" | "session";
}

/**
 * A second way in: the portal session. It returns the signed-in account, or undefined when the
 * request carries no valid session. State-changing requests made this way must already have
 * passed the session's CSRF check.
 */
export type SessionAuthenticator = (request: FastifyRequest) => Promise<{ accountId: string } | undefined>;

declare module "fastify" {
  interface FastifyRequest {
    apiPrincipal: ApiPrincipal | undefined;
  }
}

/** Query parameters that would put a key in a URL, where logs, histories and Referer headers keep it. */
export const KEY_QUERY_PARAMETERS = ["api_key", "apikey", "key", "token", "access_token"] as const;

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * @remarks RFC 6750 §3: "If the protected resource request does not include authentication
 * credentials or does not contain an access token that enables access to the protected resource,
 * the resource server MUST include the HTTP "WWW-Authenticate" response header field".
 */
function unauthorised(request: FastifyRequest, reply: FastifyReply, detail: string, invalidToken: boolean) {
  reply.header(
    "www-authenticate",
    invalidToken ? 'Bearer realm="zaqros", error="invalid_token"' : 'Bearer realm="zaqros"',
  );
  return sendProblem(reply, {
    type: "about:blank",
    title: "Authentication required",
    status: 401,
    detail,
    instance: request.url.split("?")[0],
  });
}

/**
 * Refuses a request that carries a key in its query string, before anything else reads it.
 *
 * @remarks RFC 6750 §5.3: "Bearer tokens SHOULD NOT be passed in page URLs (for example, as query
 * string parameters)."
 */
export async function refuseKeyInUrl(request: FastifyRequest, reply: FastifyReply) {
  const query = request.query as Record<string, unknown> | undefined;
  const names = new Set(Object.keys(query ?? {}).map((name) => name.toLowerCase()));
  const found = KEY_QUERY_PARAMETERS.find((name) => names.has(name));
  if (found === undefined) return;
  return sendProblem(reply, {
    type: "about:blank",
    title: "API keys are not accepted in URLs",
    status: 400,
    detail: `Send the key in the Authorization header (Authorization: Bearer <key>), not as ?${found}=. Revoke a key that was put in a URL: it may have been logged along the way.`,
    instance: request.url.split("?")[0],
  });
}

/**
 * The one `authenticate` preHandler of /api/v1: an API key in `Authorization: Bearer`, or else the
 * portal session when one is plugged in. Reading needs scope `read`; anything else `read-write`.
 */
export function apiAuthenticate(options: {
  apiKeys: ApiKeysService;
  session?: SessionAuthenticator | undefined;
}): preHandlerAsyncHookHandler {
  return async function authenticate(request, reply) {
    const principal = await identify(request, options);
    if (principal === "invalid") {
      return unauthorised(request, reply, "The API key is not valid or has been revoked.", true);
    }
    if (principal === undefined) {
      return unauthorised(request, reply, "Send an API key as Authorization: Bearer <key>.", false);
    }
    if (!READ_METHODS.has(request.method) && principal.scope !== "read-write") {
      reply.header(
        "www-authenticate",
        'Bearer realm="zaqros", error="insufficient_scope", scope="read-write"',
      );
      return sendProblem(reply, {
        type: "about:blank",
        title: "Insufficient scope",
        status: 403,
        detail: "This key may only read; changes need a key with scope read-write.",
        instance: request.url.split("?")[0],
      });
    }
    request.apiPrincipal = principal;
  };
}

async function identify(
  request: FastifyRequest,
  options: { apiKeys: ApiKeysService; session?: SessionAuthenticator | undefined },
): Promise<ApiPrincipal | "invalid" | undefined> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return "invalid";
    const key = await options.apiKeys.authenticate(match[1]);
    if (!key) return "invalid";
    return { accountId: key.accountId, scope: key.scope, keyId: key.keyId, via: "api-key" };
  }
  const session = await options.session?.(request);
  return session && { accountId: session.accountId, scope: "read-write", keyId: undefined, via: "session" };
}

/** The principal of a request that passed {@link apiAuthenticate}. */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  const principal = request.apiPrincipal;
  if (!principal) throw new Error("route registered outside the authenticated /api/v1 scope");
  return principal;
}
