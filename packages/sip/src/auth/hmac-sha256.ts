import { hash } from "node:crypto";

const BLOCK_BYTES = 64;

/**
 * HMAC-SHA-256 (RFC 2104) with the padded key worked out once, for a key used on every request
 * (the digest nonce secret). Each MAC is then two one-shot SHA-256 hashes.
 *
 * Why not `createHmac`: it prepares the key and sets up a new OpenSSL MAC context on every call.
 * Alone in a loop that costs 2.6-2.9 µs against 2.2 µs for the two hashes, but under REGISTER load
 * its constructor alone took 4.7% of the CPU, and a challenge and its answer each compute one.
 *
 * @remarks RFC 2104 §2: "H(K XOR opad, H(K XOR ipad, text))", where K is the key "appended with
 * zeros to create a B byte string" and "Applications that use keys longer than B bytes will first
 * hash the key using H".
 */
export class HmacSha256Key {
  readonly #innerPad: Buffer;
  readonly #outerPad: Buffer;

  constructor(key: Uint8Array) {
    const block = Buffer.alloc(BLOCK_BYTES);
    block.set(key.length > BLOCK_BYTES ? hash("sha256", key, "buffer") : key);
    this.#innerPad = Buffer.from(block.map((byte) => byte ^ 0x36));
    this.#outerPad = Buffer.from(block.map((byte) => byte ^ 0x5c));
  }

  /** The 32-byte MAC of the parts, taken in order as one message. */
  mac(...parts: Uint8Array[]): Buffer {
    const inner = hash("sha256", Buffer.concat([this.#innerPad, ...parts]), "buffer");
    return hash("sha256", Buffer.concat([this.#outerPad, inner]), "buffer");
  }
}
