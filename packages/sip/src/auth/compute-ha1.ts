import { type DigestAlgorithm, type DigestHash, digestHashOf, hashHex } from "./digest-algorithm.ts";

/**
 * H(A1) for a user: `H(username ":" realm ":" password)`, lower-case hex.
 *
 * This is what the platform stores instead of a SIP password, one value per hash function. The
 * `-sess` algorithms use the same stored value (they derive their A1 from it per request), so
 * passing `MD5-sess` gives the same result as `MD5`.
 *
 * @remarks RFC 7616 §3.4.2: "If the algorithm parameter's value is "<algorithm>", e.g., "SHA-256",
 * then A1 is: A1 = unq(username) ":" unq(realm) ":" passwd". Text is hashed as UTF-8.
 */
export function computeHa1(
  algorithm: DigestAlgorithm | DigestHash,
  username: string,
  realm: string,
  password: string,
): string {
  return hashHex(digestHashOf(algorithm), `${username}:${realm}:${password}`);
}
