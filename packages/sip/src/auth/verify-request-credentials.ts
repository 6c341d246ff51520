import { parseAuthHeader } from "../grammar/auth-header.ts";
import { SipParseError } from "../grammar/sip-parse-error.ts";
import type { AuthHeader, SipRequest } from "../message/types.ts";
import type { DigestVerifierConfig } from "./digest-server-config.ts";
import { type DigestVerification, verifyCredentials } from "./verify-credentials.ts";

/**
 * `verifyCredentials` for a parsed request: reads its Authorization (a registrar or UAS) or
 * Proxy-Authorization (a proxy) fields, its method, Request-URI text and body.
 *
 * A field that does not parse is skipped, so one garbled field cannot hide valid credentials in
 * another; when no usable credentials remain and some field was garbled, the result is MALFORMED
 * rather than MISSING. Never throws for anything in the request.
 *
 * @remarks RFC 3261 §22.3: "a proxy server MUST attempt to parse all Proxy-Authorization header
 * field values to determine whether one of them has what the proxy server considers to be valid
 * credentials." A UAS walks its Authorization fields the same way.
 */
export async function verifyRequestCredentials(
  config: DigestVerifierConfig,
  request: SipRequest,
  field: "authorization" | "proxy-authorization" = "authorization",
): Promise<DigestVerification> {
  const credentials: AuthHeader[] = [];
  let garbled = 0;
  for (const raw of request.headers.getRaw(field)) {
    try {
      credentials.push(...parseAuthHeader(raw));
    } catch (error) {
      if (!(error instanceof SipParseError)) throw error;
      garbled++;
    }
  }
  const result = await verifyCredentials(config, {
    credentials,
    method: request.method,
    requestUri: request.uriText,
    body: request.body,
  });
  if (!result.ok && result.reason === "MISSING" && garbled > 0) {
    return { ok: false, reason: "MALFORMED", detail: `${garbled} unparseable ${field} field(s)` };
  }
  return result;
}
