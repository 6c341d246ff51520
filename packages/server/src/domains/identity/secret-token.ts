import { createHash, createHmac, randomBytes } from "node:crypto";

/** A random token of 32 bytes, base64url: for cookies and single-use links. */
export function newSecretToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What the database keeps of a token: a SHA-256, so a leaked table opens no session or link. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The CSRF token of a session: derived from the cookie value, so it needs no storage and no one can compute it from the table. */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac("sha256", sessionToken).update("zaqros-csrf").digest("base64url");
}
