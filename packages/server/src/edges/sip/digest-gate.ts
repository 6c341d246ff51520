import { hash } from "node:crypto";
import {
  acceptUriOnOwnHosts,
  createChallenge,
  createResponse,
  type DigestAlgorithm,
  type DigestVerifierConfig,
  MemoryNonceCountStore,
  type SipRequest,
  type SipResponse,
  verifyRequestCredentials,
} from "@zaqros/sip";
import type { DeviceCredentials } from "../../domains/devices/devices.types.ts";

/** The device whose credentials a request proved. */
export interface AuthenticatedDevice {
  deviceId: string;
  accountId: string;
  username: string;
}

/** What the SIP edge needs from the devices domain. */
export interface CredentialSource {
  credentials(username: string): Promise<DeviceCredentials | undefined>;
}

export type GateOutcome =
  | { ok: true; device: AuthenticatedDevice }
  | { ok: false; response: SipResponse; reason: string };

export interface DigestGateOptions {
  realm: string;
  secret: string;
  devices: CredentialSource;
  /** host or host:port entries that name this server (SIPp puts `sip:host:port` in the digest uri). */
  ownHosts: readonly string[];
  now?: () => number;
  /**
   * Challenges offered, in order. RFC 8760 §2.3 puts SHA-256 first; some phones (and SIPp 3.6)
   * read only the first challenge and know only MD5, so operators may put MD5 first.
   */
  algorithms?: readonly DigestAlgorithm[];
}

/**
 * Digest authentication for REGISTER (401/Authorization) and calls (407/Proxy-Authorization),
 * verified against the stored HA1 values only.
 */
export class DigestGate {
  private readonly config: DigestVerifierConfig;

  constructor(private readonly options: DigestGateOptions) {
    this.config = {
      realm: options.realm,
      secret: options.secret,
      now: options.now ?? Date.now,
      algorithms: options.algorithms ?? ["SHA-256", "MD5"],
      lookupHa1: async ({ username, realm, hash }) => {
        const found = await options.devices.credentials(username);
        if (!found || found.realm !== realm) return undefined;
        return hash === "SHA-256" ? found.ha1Sha256 : found.ha1Md5;
      },
      nonceCounts: new MemoryNonceCountStore(),
      acceptUri: acceptUriOnOwnHosts(options.ownHosts),
      legacyNoQop: "single-use",
    };
  }

  /**
   * Verifies the request's credentials, or builds the response that asks for them (again).
   *
   * @remarks RFC 3261 §22.3: a UAS "SHOULD challenge ... with a 401 (Unauthorized)" and a proxy
   * "with a 407 (Proxy Authentication Required)". A wrong password after a challenge ends in 403:
   * RFC 3261 §22.2 "...the server MAY respond with a 403 (Forbidden)" when credentials are
   * definitely wrong, which stops phones from retrying a bad password forever.
   */
  async authenticate(request: SipRequest, kind: "registrar" | "proxy"): Promise<GateOutcome> {
    const field = kind === "registrar" ? "authorization" : "proxy-authorization";
    // The device read to verify the response is the one the caller needs: read it once.
    let looked: DeviceCredentials | undefined;
    const config: DigestVerifierConfig = {
      ...this.config,
      lookupHa1: async ({ username, realm, hash }) => {
        looked = await this.options.devices.credentials(username);
        if (!looked || looked.realm !== realm) return undefined;
        return hash === "SHA-256" ? looked.ha1Sha256 : looked.ha1Md5;
      },
    };
    const result = await verifyRequestCredentials(config, request, field);
    if (result.ok) {
      const found =
        looked?.username === result.username
          ? looked
          : await this.options.devices.credentials(result.username);
      if (!found)
        return { ok: false, reason: "UNKNOWN_USER", response: createResponse(request, 403, "Forbidden") };
      return {
        ok: true,
        device: { deviceId: found.deviceId, accountId: found.accountId, username: found.username },
      };
    }
    switch (result.reason) {
      case "MISSING":
      case "BAD_NONCE":
      case "REPLAY":
      case "WRONG_REALM":
      case "UNSUPPORTED_ALGORITHM":
        return { ok: false, reason: result.reason, response: this.challenge(request, kind, false) };
      case "STALE_NONCE":
        return { ok: false, reason: result.reason, response: this.challenge(request, kind, true) };
      case "MALFORMED":
        return {
          ok: false,
          reason: result.reason,
          response: createResponse(request, 400, "Malformed Credentials"),
        };
      default:
        return { ok: false, reason: result.reason, response: createResponse(request, 403, "Forbidden") };
    }
  }

  /**
   * The challenge for a request that carries no credentials at all (no Authorization, or no
   * Proxy-Authorization for a proxy), built without reading anything: the stack can send it
   * statelessly. Undefined when the request carries credentials, which {@link authenticate} checks.
   */
  challengeIfMissing(request: SipRequest, kind: "registrar" | "proxy"): SipResponse | undefined {
    const field = kind === "registrar" ? "authorization" : "proxy-authorization";
    if (request.headers.has(field)) return undefined;
    return this.challenge(request, kind, false, statelessToTag(request));
  }

  private challenge(
    request: SipRequest,
    kind: "registrar" | "proxy",
    stale: boolean,
    toTag?: string,
  ): SipResponse {
    const header = kind === "registrar" ? "WWW-Authenticate" : "Proxy-Authenticate";
    const status = kind === "registrar" ? 401 : 407;
    const challenges = createChallenge(this.config, { stale });
    return createResponse(request, status, undefined, {
      headers: challenges.map((c) => [header, c.value] as const),
      ...(toTag === undefined ? {} : { toTag }),
    });
  }
}

/**
 * The To tag of a statelessly sent challenge: the same for every copy of one request.
 *
 * @remarks RFC 3261 §8.2.7: "To header tags MUST be generated for responses in a stateless
 * manner - in a manner that will generate the same tag for the same request consistently." It is
 * derived from what identifies the request: Call-ID, From tag, CSeq and top Via branch.
 */
function statelessToTag(request: SipRequest): string {
  const headers = request.headers;
  const identity = [
    headers.callId(),
    headers.from().params.get("tag") ?? "",
    String(headers.cseq().seq),
    headers.topVia()?.params.get("branch") ?? "",
  ].join("\u0000");
  return hash("sha256", identity, "base64url").slice(0, 16);
}
