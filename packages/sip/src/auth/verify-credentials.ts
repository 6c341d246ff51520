import { timingSafeEqual } from "node:crypto";
import type { AuthHeader } from "../message/types.ts";
import { computeDigestResponse, type DigestQop } from "./compute-digest-response.ts";
import {
  type DigestAlgorithm,
  digestHashOf,
  digestHexLength,
  isSessionAlgorithm,
  parseDigestAlgorithm,
} from "./digest-algorithm.ts";
import {
  DEFAULT_NONCE_LIFETIME_MS,
  DEFAULT_SERVER_ALGORITHMS,
  type DigestVerifierConfig,
} from "./digest-server-config.ts";
import { checkNonce } from "./stateless-nonce.ts";

/**
 * Why credentials were refused, and what the caller usually does about it:
 * - `MISSING`: no Digest credentials at all → challenge.
 * - `WRONG_REALM`: Digest credentials, but none for our realm → challenge.
 * - `MALFORMED`: a required parameter is absent or ill-formed → 400, or challenge.
 * - `UNSUPPORTED_ALGORITHM`: an algorithm we do not implement or do not accept → challenge.
 * - `BAD_NONCE`: not a nonce we issued (forged, tampered, other realm, issued in the future) → challenge.
 * - `STALE_NONCE`: our nonce, expired (or forgotten), and the digest is right → challenge with
 *   `stale: true`, so the client retries without asking its user.
 * - `URI_MISMATCH`: the `uri` parameter designates another resource → 400 (RFC 2617 §3.2.2.5).
 * - `UNKNOWN_USER` / `BAD_RESPONSE`: no such user / wrong password → the same 401 or 403 for both,
 *   so the answer does not reveal which usernames exist.
 * - `REPLAY`: a nonce count already used with this nonce → challenge.
 */
export type DigestFailureReason =
  | "MISSING"
  | "MALFORMED"
  | "UNKNOWN_USER"
  | "WRONG_REALM"
  | "BAD_NONCE"
  | "STALE_NONCE"
  | "URI_MISMATCH"
  | "REPLAY"
  | "BAD_RESPONSE"
  | "UNSUPPORTED_ALGORITHM";

export type DigestVerification =
  | {
      readonly ok: true;
      readonly username: string;
      readonly realm: string;
      readonly algorithm: DigestAlgorithm;
      /** `null` for an RFC 2069 client that sent no `qop`. */
      readonly qop: DigestQop | null;
    }
  | {
      readonly ok: false;
      readonly reason: DigestFailureReason;
      /** Human-readable and free of secrets; for logs. */
      readonly detail: string;
      /** The claimed username when one was readable (for brute-force counting). */
      readonly username?: string;
    };

export interface DigestRequest {
  /** The parsed Authorization (or Proxy-Authorization) header fields; all of them, or undefined. */
  credentials: AuthHeader | readonly AuthHeader[] | undefined;
  method: string;
  /** The Request-URI exactly as on the wire (`SipRequest.uriText`). */
  requestUri: string;
  /** The body, needed only when the client chose `qop=auth-int`; absent means empty. */
  body?: Uint8Array;
}

type Failure = Extract<DigestVerification, { ok: false }>;

function fail(reason: DigestFailureReason, detail: string, username?: string): Failure {
  return username === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, username };
}

/** The credentials fields parsed and checked for shape, before any cryptography. */
interface DigestCredentials {
  username: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  qop: DigestQop | undefined;
  /** `nc` as on the wire, and its value. */
  ncText: string | undefined;
  nc: number;
  cnonce: string | undefined;
}

const HEX = /^[0-9a-fA-F]+$/;
const NONCE_COUNT = /^[0-9a-fA-F]{8}$/;

function nonEmpty(params: Map<string, string>, name: string): string | undefined {
  const value = params.get(name);
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * Picks the Digest credentials for our realm among all the Authorization header fields.
 *
 * @remarks RFC 3261 §22.3: "a proxy server MUST attempt to parse all Proxy-Authorization header
 * field values to determine whether one of them has what the proxy server considers to be valid
 * credentials"; RFC 3261 §22.4: "SIP servers MUST NOT accept or request Basic authentication", so a
 * Basic field counts as no credentials.
 */
function pickCredentials(credentials: DigestRequest["credentials"], realm: string): AuthHeader | Failure {
  const fields: readonly AuthHeader[] =
    credentials === undefined ? [] : Array.isArray(credentials) ? credentials : [credentials as AuthHeader];
  const digest = fields.filter(
    (field) =>
      typeof field?.scheme === "string" &&
      field.scheme.toLowerCase() === "digest" &&
      field.params instanceof Map,
  );
  if (digest.length === 0) {
    return fail("MISSING", fields.length === 0 ? "no credentials" : "no Digest credentials");
  }
  const ours = digest.find((field) => field.params.get("realm") === realm);
  if (ours === undefined)
    return fail("WRONG_REALM", "no credentials for this realm", digest[0]?.params.get("username"));
  return ours;
}

/**
 * Reads the credentials parameters. Returns a failure, never throws, whatever the parameter values.
 *
 * @remarks RFC 3261 §22.4 item 8: "any algorithms that have a dependency on the cnonce (including
 * "MD5-Sess") require that the qop directive be sent." RFC 3261 §25.1: `nonce-count = "nc" EQUAL
 * 8LHEX`, and `qop-value = "auth" / "auth-int" / token`.
 */
function readCredentials(field: AuthHeader, config: DigestVerifierConfig): DigestCredentials | Failure {
  const params = field.params;
  if (params.has("username*") || params.get("userhash")?.toLowerCase() === "true") {
    // RFC 7616's hashed and extended usernames: SIP phones do not send them and we do not implement them.
    return fail("MALFORMED", "username* and userhash are not supported");
  }
  const username = nonEmpty(params, "username");
  if (username === undefined) return fail("MALFORMED", "username missing");
  const nonce = nonEmpty(params, "nonce");
  const uri = nonEmpty(params, "uri");
  const response = nonEmpty(params, "response");
  if (nonce === undefined || uri === undefined || response === undefined) {
    return fail("MALFORMED", "nonce, uri or response missing", username);
  }
  const algorithmText = params.get("algorithm");
  const algorithm = parseDigestAlgorithm(algorithmText);
  if (algorithm === undefined || !(config.algorithms ?? DEFAULT_SERVER_ALGORITHMS).includes(algorithm)) {
    return fail("UNSUPPORTED_ALGORITHM", `algorithm ${algorithmText ?? "MD5"} not accepted`, username);
  }
  if (!HEX.test(response) || response.length !== digestHexLength(digestHashOf(algorithm))) {
    return fail("MALFORMED", "response is not a digest of the algorithm's size", username);
  }
  const qopText = params.get("qop");
  if (qopText === undefined) {
    if (isSessionAlgorithm(algorithm)) return fail("MALFORMED", `${algorithm} requires qop`, username);
    if ((config.legacyNoQop ?? "single-use") === "reject") {
      return fail("MALFORMED", "credentials without qop are not accepted", username);
    }
    return {
      username,
      nonce,
      uri,
      response,
      algorithm,
      qop: undefined,
      ncText: undefined,
      nc: 1,
      cnonce: undefined,
    };
  }
  const qop = qopText.toLowerCase();
  if (qop !== "auth" && qop !== "auth-int") return fail("MALFORMED", "unsupported qop", username);
  const ncText = params.get("nc");
  const cnonce = nonEmpty(params, "cnonce");
  if (ncText === undefined || !NONCE_COUNT.test(ncText) || cnonce === undefined) {
    return fail("MALFORMED", "qop requires nc (8 hex digits) and cnonce", username);
  }
  const nc = Number.parseInt(ncText, 16);
  if (nc === 0) return fail("MALFORMED", "nc starts at 00000001", username);
  return { username, nonce, uri, response, algorithm, qop, ncText, nc, cnonce };
}

/**
 * Verifies Digest credentials against the stored HA1. Pure apart from the two ports in `config`
 * (`lookupHa1`, `nonceCounts`); never throws for anything found in the request. Errors thrown by
 * the ports propagate.
 *
 * Order of checks: pick our realm's Digest credentials; read them; validate the nonce's HMAC;
 * check the `uri`; look up HA1; compare the response in constant time; only then report an
 * expired nonce as STALE_NONCE; last, the nonce count (so only clients that know the password
 * can add entries to the nonce-count store).
 *
 * @remarks RFC 2617 §3.2.1: "The server should only set stale to TRUE if it receives a request for
 * which the nonce is invalid but with a valid digest for that nonce (indicating that the client
 * knows the correct username/password)." RFC 2617 §3.2.2.5 (carried into RFC 7616 §3.4.6): "The
 * authenticating server must assure that the resource designated by the "uri" directive is the same
 * as the resource specified in the Request-Line"; RFC 3261 §22.4 item 6 allows SIP servers to accept
 * other URIs, which `config.acceptUri` decides. RFC 3261 §22.4: "SIP servers supporting RFC 2617 MUST
 * ensure they are backwards compatible with RFC 2069", hence credentials without `qop` are accepted
 * under `config.legacyNoQop`. RFC 2617 §3.2.1: "An implementation might choose not to accept a
 * previously used nonce or a previously used digest, in order to protect against a replay attack."
 * We make such a nonce single-use by default: without `nc` a reused nonce cannot be told from a
 * replay, and answering it STALE_NONCE costs an honest RFC 2069 client one extra round trip.
 */
export async function verifyCredentials(
  config: DigestVerifierConfig,
  request: DigestRequest,
): Promise<DigestVerification> {
  const field = pickCredentials(request.credentials, config.realm);
  if ("ok" in field) return field;
  const credentials = readCredentials(field, config);
  if ("ok" in credentials) return credentials;
  const { username, algorithm, qop } = credentials;

  const now = config.now();
  const nonce = checkNonce(credentials.nonce, {
    secret: config.secret,
    realm: config.realm,
    now,
    lifetimeMs: config.nonceLifetimeMs ?? DEFAULT_NONCE_LIFETIME_MS,
  });
  if (nonce.status === "invalid") return fail("BAD_NONCE", `nonce rejected (${nonce.why})`, username);

  if (credentials.uri !== request.requestUri && config.acceptUri?.(credentials.uri) !== true) {
    return fail("URI_MISMATCH", "uri does not designate the Request-URI or this server", username);
  }

  const hash = digestHashOf(algorithm);
  const ha1 = await config.lookupHa1({ username, realm: config.realm, hash });
  if (ha1 === undefined) return fail("UNKNOWN_USER", "no such user", username);
  if (!HEX.test(ha1) || ha1.length !== digestHexLength(hash)) {
    throw new TypeError(`lookupHa1 returned a value that is not a ${hash} hex digest`);
  }

  const expected = computeDigestResponse({
    algorithm,
    ha1,
    nonce: credentials.nonce,
    method: request.method,
    uri: credentials.uri,
    ...(qop === undefined ? {} : { qop, nc: credentials.ncText, cnonce: credentials.cnonce }),
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  if (
    !timingSafeEqual(
      Buffer.from(expected, "latin1"),
      Buffer.from(credentials.response.toLowerCase(), "latin1"),
    )
  ) {
    return fail("BAD_RESPONSE", "response does not match", username);
  }

  if (nonce.status === "expired") return fail("STALE_NONCE", "nonce expired", username);

  const legacy = qop === undefined;
  if (!legacy || (config.legacyNoQop ?? "single-use") === "single-use") {
    const verdict = await config.nonceCounts.use({
      nonce: credentials.nonce,
      nc: credentials.nc,
      expiresAt: nonce.expiresAt,
      now,
    });
    if (verdict === "forgotten") return fail("STALE_NONCE", "nonce no longer tracked", username);
    if (verdict === "replay") {
      return legacy
        ? fail("STALE_NONCE", "nonce already used without qop", username)
        : fail("REPLAY", "nonce count already used", username);
    }
  }
  return { ok: true, username, realm: config.realm, algorithm, qop: qop ?? null };
}
