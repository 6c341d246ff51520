import { createPublicKey, createSign, createVerify, type KeyObject } from "node:crypto";
import { crc32 } from "node:zlib";
import { generate } from "selfsigned";

/** The algorithm PayPal names in PAYPAL-AUTH-ALGO. */
export const AUTH_ALGO = "SHA256withRSA";

/**
 * What PayPal signs for a webhook delivery: `<transmission id>|<transmission time>|<webhook id>|<crc32>`,
 * the CRC32 of the body as an unsigned decimal.
 */
export function signedText(
  transmissionId: string,
  transmissionTime: string,
  webhookId: string,
  body: string,
): string {
  return `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(Buffer.from(body, "utf8"))}`;
}

export interface SigningKey {
  /** PEM X.509 certificate served at PAYPAL-CERT-URL. */
  certificate: string;
  privateKey: string;
  publicKey: KeyObject;
}

let shared: Promise<SigningKey> | undefined;

/** An RSA key and a self-signed certificate for it, made once per process. */
export function signingKey(): Promise<SigningKey> {
  shared ??= (async () => {
    const now = Date.now();
    const pems = await generate([{ name: "commonName", value: "messageverificationcerts.sandbox.local" }], {
      keyType: "rsa",
      keySize: 2048,
      algorithm: "sha256",
      notBeforeDate: new Date(now - 60_000),
      notAfterDate: new Date(now + 365 * 24 * 3600 * 1000),
    });
    return { certificate: pems.cert, privateKey: pems.private, publicKey: createPublicKey(pems.cert) };
  })();
  return shared;
}

export function sign(key: SigningKey, text: string): string {
  return createSign("RSA-SHA256").update(text).sign(key.privateKey, "base64");
}

export function verify(key: SigningKey, text: string, signature: string): boolean {
  try {
    return createVerify("RSA-SHA256").update(text).verify(key.publicKey, signature, "base64");
  } catch {
    return false;
  }
}
