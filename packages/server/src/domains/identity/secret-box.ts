import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "zqs1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals secrets that must be read back (TOTP seeds) before they reach the database: AES-256-GCM
 * with a key derived from the server secret by HKDF-SHA-256, a fresh 96-bit nonce per value, and
 * the owner's id as associated data, so a sealed value copied onto another row does not open.
 * Stored as `zqs1:<base64url nonce | tag | ciphertext>`.
 *
 * A database dump alone reveals no seed; the server secret (data dir or ZAQROS_SECRET) is also
 * needed. Rotating that secret makes sealed seeds unreadable: customers set two-factor up again.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(serverSecret: string, purpose: string) {
    this.key = Buffer.from(
      hkdfSync("sha256", serverSecret, "zaqros secret box", `${purpose} ${VERSION}`, 32),
    );
  }

  /** Whether a stored value is sealed (as opposed to one written before sealing existed). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(`${VERSION}:`);
  }

  seal(plain: string, owner: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(owner));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
  }

  /** The plain value; throws when the value was altered, sealed for another owner or with another key. */
  open(stored: string, owner: string): string {
    if (!SecretBox.isSealed(stored)) throw new Error("not a sealed value");
    const raw = Buffer.from(stored.slice(VERSION.length + 1), "base64url");
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("sealed value too short");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(owner));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      "utf8",
    );
  }
}
