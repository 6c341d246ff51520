import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";

/** Methods that change nothing; every other method must pass the CSRF checks. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

export const CSRF_HEADER = "x-csrf-token";

/**
 * Whether the request comes from a page of this site, by the browser's own headers: a
 * `Sec-Fetch-Site` of `cross-site`, or an `Origin` naming another site, is refused. A request with
 * neither (curl, a server) passes this check and still needs the session's CSRF token.
 *
 * @remarks RFC 6454 §7.3: "the user agent MAY include an Origin header field in any HTTP request"
 * and Fetch sends it on every request whose method is not GET or HEAD, so a cross-site form or
 * script cannot hide where it comes from.
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const site = request.headers["sec-fetch-site"];
  if (site === "cross-site") return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.host}`;
}

/** Constant-time comparison of the `x-csrf-token` header with the session's token. */
export function hasCsrfToken(request: FastifyRequest, expected: string): boolean {
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== "string") return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
