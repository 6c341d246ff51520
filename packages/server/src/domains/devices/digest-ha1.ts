import { createHash } from "node:crypto";

/**
 * HA1 = H(username ":" realm ":" password) for the two digest algorithms phones use
 * (RFC 7616 §3.4.2). Only these hashes are stored, never the password.
 */
export function digestHa1(
  algorithm: "md5" | "sha256",
  username: string,
  realm: string,
  password: string,
): string {
  return createHash(algorithm).update(`${username}:${realm}:${password}`).digest("hex");
}
