import { createHash, randomInt } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_PREFIX = "zq_live_";
const RANDOM_LENGTH = 32;
/** How much of the secret a listing shows: the marker and four random characters. */
const VISIBLE_LENGTH = SECRET_PREFIX.length + 4;
const SECRET_SHAPE = /^zq_live_[0-9A-Za-z]{32}$/;

/**
 * A new secret: `zq_live_` and 32 base62 characters (about 190 bits). The marker lets secret
 * scanners and the log redaction recognise a leaked key.
 */
export function generateApiKeySecret(): string {
  let random = "";
  for (let i = 0; i < RANDOM_LENGTH; i++) random += BASE62[randomInt(BASE62.length)];
  return SECRET_PREFIX + random;
}

/** True when `value` has the shape of a secret this server hands out (checked before any lookup). */
export function looksLikeApiKeySecret(value: string): boolean {
  return SECRET_SHAPE.test(value);
}

/**
 * The stored form of a secret. A fast hash is enough: the secret is random and long, so there is
 * nothing to guess from a leaked hash, and every API request pays for it.
 */
export function hashApiKeySecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function visiblePrefix(secret: string): string {
  return secret.slice(0, VISIBLE_LENGTH);
}
