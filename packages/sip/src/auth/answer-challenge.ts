import { randomBytes } from "node:crypto";
import type { AuthHeader } from "../message/types.ts";
import type { NonceCounter } from "./client-nonce-counter.ts";
import { computeDigestResponse, type DigestQop, formatNonceCount } from "./compute-digest-response.ts";
import { computeHa1 } from "./compute-ha1.ts";
import {
  algorithmStrength,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  type DigestHash,
  digestHashOf,
  digestHexLength,
  isSessionAlgorithm,
  parseDigestAlgorithm,
} from "./digest-algorithm.ts";
import { isQuotable, serializeCredentials } from "./serialize-auth-header.ts";

interface AnswerChallengeCommon {
  /** Every WWW-Authenticate (for a 401) or Proxy-Authenticate (for a 407) field, in order. */
  challenge: AuthHeader | readonly AuthHeader[];
  method: string;
  /** The Request-URI of the request being authorised, as it will be sent. */
  uri: string;
  username: string;
  /**
   * The nonce count for this request, or a counter that gives it per (realm, nonce); default 1.
   * With a counter, reusing a nonce counts up automatically.
   */
  nc?: number | NonceCounter;
  /** Client nonce; default 24 random hex digits. */
  cnonce?: string;
  /** The request body, hashed when the server demands `qop=auth-int`. */
  body?: Uint8Array;
  /** Algorithms this client is willing to use; default all implemented. */
  algorithms?: readonly DigestAlgorithm[];
}

/** The password, or stored HA1 values (one per hash) when the password itself is not kept. */
export type AnswerChallengeInput = AnswerChallengeCommon &
  (
    | { password: string; ha1?: undefined }
    | { ha1: Partial<Record<DigestHash, string>>; password?: undefined }
  );

export type DigestAnswer =
  | {
      readonly ok: true;
      /** The Authorization / Proxy-Authorization header, typed. */
      readonly header: AuthHeader;
      /** The same, serialized: the header field value to send. */
      readonly value: string;
      readonly algorithm: DigestAlgorithm;
      readonly realm: string;
      readonly nonce: string;
      readonly nc: number;
      /** `null` when the challenge had no `qop` (RFC 2069 server). */
      readonly qop: DigestQop | null;
    }
  | { readonly ok: false; readonly reason: "NO_USABLE_CHALLENGE"; readonly detail: string };

interface Usable {
  params: Map<string, string>;
  realm: string;
  nonce: string;
  algorithm: DigestAlgorithm;
  qop: DigestQop | undefined;
  ha1: string;
}

function chooseQop(options: string | undefined): DigestQop | undefined | null {
  if (options === undefined) return undefined;
  const offered = options.split(",").map((option) => option.trim().toLowerCase());
  if (offered.includes("auth")) return "auth";
  if (offered.includes("auth-int")) return "auth-int";
  return null;
}

function usableChallenge(
  field: AuthHeader,
  input: AnswerChallengeInput,
  accepted: readonly DigestAlgorithm[],
): Usable | undefined {
  if (typeof field?.scheme !== "string" || field.scheme.toLowerCase() !== "digest") return undefined;
  if (!(field.params instanceof Map)) return undefined;
  const params = field.params;
  const realm = params.get("realm");
  const nonce = params.get("nonce");
  const opaque = params.get("opaque");
  if (realm === undefined || nonce === undefined || nonce.length === 0) return undefined;
  if (!isQuotable(realm) || !isQuotable(nonce) || (opaque !== undefined && !isQuotable(opaque)))
    return undefined;
  const algorithm = parseDigestAlgorithm(params.get("algorithm"));
  if (algorithm === undefined || !accepted.includes(algorithm)) return undefined;
  const qop = chooseQop(params.get("qop"));
  if (qop === null || (qop === undefined && isSessionAlgorithm(algorithm))) return undefined;
  const hash = digestHashOf(algorithm);
  const ha1 =
    input.password !== undefined ? computeHa1(hash, input.username, realm, input.password) : input.ha1[hash];
  if (ha1 === undefined || !/^[0-9a-fA-F]+$/.test(ha1) || ha1.length !== digestHexLength(hash))
    return undefined;
  return { params, realm, nonce, algorithm, qop, ha1 };
}

/**
 * Answers a 401/407: picks the strongest usable challenge and builds the Authorization (or
 * Proxy-Authorization) header. Never throws for anything found in the challenges; unusable ones
 * (unknown scheme or algorithm, unknown qop only, `-sess` without qop, no credential for that hash)
 * are skipped.
 *
 * @remarks RFC 8760 §2.4: the UAC "SHOULD use the topmost header field that it supports, unless a
 * local policy dictates otherwise". Our local policy is the strongest algorithm first, ties to the
 * topmost: challenges are not integrity-protected, so an on-path attacker could reorder them to put
 * MD5 on top, a downgrade RFC 8760 §3 warns about. RFC 3261 §22.4 item 8: "If a client receives a
 * "qop" parameter in a challenge header field, it MUST send the "qop" parameter in any resulting
 * authorization header field." RFC 2617 §3.2.1: opaque is data "which should be returned by the
 * client unchanged in the Authorization header of subsequent requests".
 *
 * @throws RangeError when the caller's own `username` or `uri` holds control characters, or `nc`
 * is not an integer from 1 to 0xffffffff.
 */
export function answerChallenge(input: AnswerChallengeInput): DigestAnswer {
  const fields: readonly AuthHeader[] = Array.isArray(input.challenge)
    ? input.challenge
    : [input.challenge as AuthHeader];
  const accepted = input.algorithms ?? DIGEST_ALGORITHMS;
  let chosen: Usable | undefined;
  for (const field of fields) {
    const usable = usableChallenge(field, input, accepted);
    if (usable === undefined) continue;
    if (chosen === undefined || algorithmStrength(usable.algorithm) > algorithmStrength(chosen.algorithm)) {
      chosen = usable;
    }
  }
  if (chosen === undefined) {
    return {
      ok: false,
      reason: "NO_USABLE_CHALLENGE",
      detail: `none of ${fields.length} challenge(s) is usable`,
    };
  }

  const nc = typeof input.nc === "number" ? input.nc : (input.nc?.next(chosen.realm, chosen.nonce) ?? 1);
  if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff)
    throw new RangeError("nc must be from 1 to 0xffffffff");
  const ncText = formatNonceCount(nc);
  const cnonce = chosen.qop === undefined ? undefined : (input.cnonce ?? randomBytes(12).toString("hex"));

  const response = computeDigestResponse({
    algorithm: chosen.algorithm,
    ha1: chosen.ha1,
    nonce: chosen.nonce,
    method: input.method,
    uri: input.uri,
    ...(chosen.qop === undefined ? {} : { qop: chosen.qop, nc: ncText, cnonce }),
    ...(input.body === undefined ? {} : { body: input.body }),
  });

  const params = new Map<string, string>([
    ["username", input.username],
    ["realm", chosen.realm],
    ["nonce", chosen.nonce],
    ["uri", input.uri],
    ["response", response],
  ]);
  if (chosen.params.has("algorithm")) params.set("algorithm", chosen.algorithm);
  if (cnonce !== undefined) params.set("cnonce", cnonce);
  const opaque = chosen.params.get("opaque");
  if (opaque !== undefined) params.set("opaque", opaque);
  if (chosen.qop !== undefined) {
    params.set("qop", chosen.qop);
    params.set("nc", ncText);
  }
  const header: AuthHeader = { scheme: "Digest", params };
  return {
    ok: true,
    header,
    value: serializeCredentials(header),
    algorithm: chosen.algorithm,
    realm: chosen.realm,
    nonce: chosen.nonce,
    nc,
    qop: chosen.qop ?? null,
  };
}
