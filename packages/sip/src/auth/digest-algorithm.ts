import { hash as nodeHash } from "node:crypto";

/** The hash functions behind the digest algorithms this library speaks. */
export type DigestHash = "MD5" | "SHA-256";

/**
 * A digest `algorithm` parameter value this library can compute.
 *
 * @remarks RFC 8760 §2.1: "This document extends [RFC 3261] to allow use of any algorithm listed in
 * the "Hash Algorithms for HTTP Digest Authentication" IANA registry." Of that registry we implement
 * MD5 (still the only one most deployed phones and SIPp 3.6.1 speak) and SHA-256, each with its
 * `-sess` variant, which costs one more hash when the stored value is already H(A1).
 */
export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess";

/** Every algorithm this library implements, strongest first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ["SHA-256", "SHA-256-sess", "MD5", "MD5-sess"];

const BY_LOWER_NAME: ReadonlyMap<string, DigestAlgorithm> = new Map(
  DIGEST_ALGORITHMS.map((algorithm) => [algorithm.toLowerCase(), algorithm]),
);

const NODE_HASH_NAME: Readonly<Record<DigestHash, string>> = { MD5: "md5", "SHA-256": "sha256" };

/** Hex length of a digest value per hash (RFC 8760 §2.2: four bits per hex character). */
const HEX_LENGTH: Readonly<Record<DigestHash, number>> = { MD5: 32, "SHA-256": 64 };

/** Relative strength used to rank algorithms; `-sess` variants rank with their hash. */
const STRENGTH: Readonly<Record<DigestHash, number>> = { MD5: 1, "SHA-256": 2 };

/**
 * The algorithm named by an `algorithm` parameter, or `undefined` when we do not implement it.
 * An absent parameter means MD5.
 *
 * @remarks RFC 7616 §3.3: "If this is not present, it is assumed to be "MD5"." Algorithm names are
 * compared without regard to case, as deployed clients write both `MD5` and `md5`.
 */
export function parseDigestAlgorithm(token: string | undefined): DigestAlgorithm | undefined {
  if (token === undefined) return "MD5";
  return BY_LOWER_NAME.get(token.trim().toLowerCase());
}

/** The hash function an algorithm uses (the `-sess` suffix removed). */
export function digestHashOf(algorithm: DigestAlgorithm): DigestHash {
  return algorithm.startsWith("SHA-256") ? "SHA-256" : "MD5";
}

/** Whether the algorithm is a `-sess` variant, whose A1 mixes in the nonce and cnonce. */
export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith("-sess");
}

/** Lower-case hex digest of UTF-8 text or raw bytes. */
export function hashHex(hash: DigestHash, data: string | Uint8Array): string {
  // The one-shot form costs a third of a Hash object's for inputs this short.
  return nodeHash(NODE_HASH_NAME[hash], data, "hex");
}

/** Number of hex characters in a `response` (and in an HA1) computed with this hash. */
export function digestHexLength(hash: DigestHash): number {
  return HEX_LENGTH[hash];
}

/** Larger is stronger; used by the client to pick among several challenges. */
export function algorithmStrength(algorithm: DigestAlgorithm): number {
  return STRENGTH[digestHashOf(algorithm)];
}
