import type { FastifyInstance } from "fastify";

/**
 * The policy of the portal and every other page: only this origin's own scripts, styles, images
 * and connections; no inline script or style, no plugins, no framing, no `<base>` rewriting, and
 * forms post only here.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

/**
 * Swagger UI (`/api/docs`) sets `style` attributes as it renders (syntax highlighting, the model
 * tree), which a strict `style-src` blocks. Its scripts are files from this origin, so only styles
 * are relaxed, and only on its pages.
 */
export const API_DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
  "style-src 'self'",
  "style-src 'self' 'unsafe-inline'",
);

/**
 * One year, every subdomain: ASVS 5.0 §3.4.1 asks for at least a year and, from level 2, the
 * subdomains too. Browsers ignore it over a certificate they do not trust (RFC 6797 §8.1), so
 * the self-signed certificate of a first start does not pin a developer's browser.
 */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains";

/** Powerful features no page of Zaqros uses, switched off for them and anything they embed. */
export const PERMISSIONS_POLICY = [
  "accelerometer=()",
  "camera=()",
  "geolocation=()",
  "gyroscope=()",
  "magnetometer=()",
  "microphone=()",
  "payment=()",
  "usb=()",
].join(", ");

const ALWAYS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "permissions-policy": PERMISSIONS_POLICY,
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "x-frame-options": "DENY",
};

/**
 * Adds the security headers to every response of `app`, errors and 404s included. Call on the root
 * instance before registering routes. A route that sets its own Content-Security-Policy keeps it.
 * HSTS goes only on HTTPS responses (`request.protocol`, which a trusted proxy's
 * X-Forwarded-Proto sets), since RFC 6797 §7.2 says an HSTS host "MUST NOT include the STS header
 * field in HTTP responses conveyed over non-secure transport". API answers are personal data
 * and are marked `no-store` unless the route says otherwise.
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook("onSend", async (request, reply, payload) => {
    for (const [name, value] of Object.entries(ALWAYS)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    const path = request.url.split("?")[0] ?? "";
    if (!reply.hasHeader("content-security-policy")) {
      const docs = path === "/api/docs" || path.startsWith("/api/docs/");
      reply.header(
        "content-security-policy",
        docs ? API_DOCS_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY,
      );
    }
    if (path.startsWith("/api/v1/") && !reply.hasHeader("cache-control")) {
      reply.header("cache-control", "no-store");
    }
    if (request.protocol === "https") reply.header("strict-transport-security", STRICT_TRANSPORT_SECURITY);
    return payload;
  });
}
