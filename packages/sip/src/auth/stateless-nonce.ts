import { timingSafeEqual } from "node:crypto";
import { HmacSha256Key } from "./hmac-sha256.ts";

const VERSION = 1;
const ISSUED_AT_BYTES = 6;
const RANDOM_BYTES = 9;
const MAC_BYTES = 32;
const BODY_BYTES = 1 + ISSUED_AT_BYTES + RANDOM_BYTES;
const NONCE_BYTES = BODY_BYTES + MAC_BYTES;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{64}$/;

/** Shortest secret accepted, in bytes (128 bits). */
export const MIN_NONCE_SECRET_BYTES = 16;

/**
 * How far in the future an issue time may lie before the nonce is refused. Nodes behind one
 * dispatcher share the secret but not a perfectly synchronised clock.
 */
export const MAX_NONCE_CLOCK_SKEW_MS = 5_000;

export interface NonceKey {
  /** Server secret shared by every node of the deployment; at least 16 bytes. */
  secret: Uint8Array | string;
  realm: string;
}

export interface IssueNonceInput extends NonceKey {
  /** Issue time, milliseconds since the epoch (from the injected clock). */
  issuedAt: number;
  /** Source of the random part; defaults to the platform CSPRNG. */
  randomBytes: (size: number) => Uint8Array;
}

export interface CheckNonceInput extends NonceKey {
  now: number;
  lifetimeMs: number;
}

/**
 * ```
 *   nonce text ──► "invalid"  (not ours: bad format, bad HMAC, other realm or secret, future time)
 *             ├──► "expired"  (ours, older than the lifetime: the caller may answer stale=true)
 *             └──► "valid"    (ours and fresh)
 * ```
 */
export type NonceCheck =
  | { readonly status: "valid"; readonly issuedAt: number; readonly expiresAt: number }
  | { readonly status: "expired"; readonly issuedAt: number; readonly expiresAt: number }
  | { readonly status: "invalid"; readonly why: "format" | "mac" | "future" };

/** The key of the last secret used: a deployment has one secret, and every request uses it. */
let lastKey: { secret: string; key: HmacSha256Key } | undefined;

function macKey(secret: Uint8Array | string): HmacSha256Key {
  if (lastKey?.secret === secret) return lastKey.key;
  const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  if (bytes.length < MIN_NONCE_SECRET_BYTES) {
    throw new RangeError(`digest nonce secret must be at least ${MIN_NONCE_SECRET_BYTES} bytes`);
  }
  const key = new HmacSha256Key(bytes);
  // A caller's byte array may change after this call: only a string is known to stay the same.
  if (typeof secret === "string") lastKey = { secret, key };
  return key;
}

function mac(key: HmacSha256Key, body: Uint8Array, realm: string): Buffer {
  return key.mac(body, Buffer.from(realm, "utf8"));
}

/**
 * A fresh nonce for `realm`, valid from `issuedAt`.
 *
 * Nonces carry their own issue time and an HMAC-SHA-256 over it, so any node that holds the
 * secret can validate them without remembering anything.
 *
 * Layout (48 bytes, sent as 64 base64url characters):
 * ```
 *   version(1) | issuedAt ms since epoch, big-endian(6) | random(9) | HMAC-SHA-256(32)
 *   HMAC key  = server secret
 *   HMAC data = version | issuedAt | random | UTF-8 realm
 * ```
 * The random part makes each nonce unique (nonce-count tracking is per nonce) and is the per-nonce
 * salt; binding the realm stops a nonce issued for one realm being used in another.
 *
 * @remarks RFC 2617 §3.2.1 suggests "time-stamp H(time-stamp ":" ETag ":" private-key)" and explains:
 * "With a nonce of this form a server would recalculate the hash portion after receiving the client
 * authentication header and reject the request if it did not match the nonce from that header or if
 * the time-stamp value is not recent enough." RFC 3261 §22.4 item 4: "The example procedure for
 * choosing a nonce based on Etag does not work for SIP", hence the realm and random bytes in place
 * of the ETag. RFC 2617 §3.2.1: "It is recommended that this string be base64 or hexadecimal data."
 *
 * @throws RangeError when the secret is shorter than 16 bytes (a configuration error).
 */
export function issueNonce(input: IssueNonceInput): string {
  const key = macKey(input.secret);
  const issuedAt = Math.floor(input.issuedAt);
  if (!Number.isSafeInteger(issuedAt) || issuedAt < 0 || issuedAt >= 2 ** (8 * ISSUED_AT_BYTES)) {
    throw new RangeError("digest nonce issue time out of range");
  }
  const random = input.randomBytes(RANDOM_BYTES);
  if (random.length !== RANDOM_BYTES) throw new RangeError("randomBytes returned the wrong size");
  const body = Buffer.alloc(BODY_BYTES);
  body.writeUInt8(VERSION, 0);
  body.writeUIntBE(issuedAt, 1, ISSUED_AT_BYTES);
  body.set(random, 1 + ISSUED_AT_BYTES);
  return Buffer.concat([body, mac(key, body, input.realm)]).toString("base64url");
}

/**
 * Validates a nonce received in an Authorization header. Never throws for any nonce text.
 *
 * @throws RangeError when the secret is shorter than 16 bytes (a configuration error).
 */
export function checkNonce(nonce: string, input: CheckNonceInput): NonceCheck {
  const key = macKey(input.secret);
  if (!NONCE_PATTERN.test(nonce)) return { status: "invalid", why: "format" };
  const bytes = Buffer.from(nonce, "base64url");
  if (bytes.length !== NONCE_BYTES || bytes.readUInt8(0) !== VERSION) {
    return { status: "invalid", why: "format" };
  }
  const body = bytes.subarray(0, BODY_BYTES);
  if (!timingSafeEqual(bytes.subarray(BODY_BYTES), mac(key, body, input.realm))) {
    return { status: "invalid", why: "mac" };
  }
  const issuedAt = body.readUIntBE(1, ISSUED_AT_BYTES);
  if (issuedAt - input.now > MAX_NONCE_CLOCK_SKEW_MS) return { status: "invalid", why: "future" };
  const expiresAt = issuedAt + input.lifetimeMs;
  return { status: input.now > expiresAt ? "expired" : "valid", issuedAt, expiresAt };
}
