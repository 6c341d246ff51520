import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { checkNonce, issueNonce } from "./stateless-nonce.ts";

const secret = "a server secret of 32 bytes!!!!!";
const realm = "example.com";
const issuedAt = 1_700_000_000_000;
const lifetimeMs = 300_000;

function issue(overrides: Partial<Parameters<typeof issueNonce>[0]> = {}): string {
  return issueNonce({ secret, realm, issuedAt, randomBytes, ...overrides });
}

function check(nonce: string, now: number, overrides: Partial<Parameters<typeof checkNonce>[1]> = {}) {
  return checkNonce(nonce, { secret, realm, now, lifetimeMs, ...overrides });
}

test("when a nonce is checked within its lifetime, then it is valid and reports its expiry", () => {
  const nonce = issue();
  assert.match(nonce, /^[A-Za-z0-9_-]{64}$/);
  assert.deepEqual(check(nonce, issuedAt + lifetimeMs), {
    status: "valid",
    issuedAt,
    expiresAt: issuedAt + lifetimeMs,
  });
});

test("when a nonce is checked after its lifetime, then it is expired (not invalid)", () => {
  assert.equal(check(issue(), issuedAt + lifetimeMs + 1).status, "expired");
});

test("when two nonces are issued in the same millisecond, then they differ", () => {
  assert.notEqual(issue(), issue());
});

test("when the timestamp inside a nonce is changed, then the HMAC no longer matches", () => {
  const bytes = Buffer.from(issue(), "base64url");
  bytes.writeUIntBE(issuedAt + 3_600_000, 1, 6);
  assert.deepEqual(check(bytes.toString("base64url"), issuedAt), { status: "invalid", why: "mac" });
});

test("when any single byte of a nonce is flipped, then it is invalid", () => {
  const original = Buffer.from(issue(), "base64url");
  for (let i = 0; i < original.length; i++) {
    const tampered = Buffer.from(original);
    tampered[i] = (tampered[i] ?? 0) ^ 0x01;
    assert.equal(check(tampered.toString("base64url"), issuedAt).status, "invalid", `byte ${i}`);
  }
});

test("when a nonce is checked with another secret or realm, then it is invalid", () => {
  const nonce = issue();
  assert.equal(check(nonce, issuedAt, { secret: "another secret of 32 bytes!!!!!!" }).status, "invalid");
  assert.equal(check(nonce, issuedAt, { realm: "example.org" }).status, "invalid");
});

test("when a nonce claims an issue time beyond the clock skew allowance, then it is invalid", () => {
  const nonce = issue({ issuedAt: issuedAt + 60_000 });
  assert.deepEqual(check(nonce, issuedAt), { status: "invalid", why: "future" });
  assert.equal(check(issue({ issuedAt: issuedAt + 1_000 }), issuedAt).status, "valid");
});

test("when arbitrary text is checked as a nonce, then the result is invalid and nothing throws", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 100 }), (text) => {
      assert.equal(check(text, issuedAt).status, "invalid");
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 48, maxLength: 48 }), (bytes) => {
      assert.equal(check(Buffer.from(bytes).toString("base64url"), issuedAt).status, "invalid");
    }),
  );
});

test("when the secret is shorter than 16 bytes, then issuing and checking throw a RangeError", () => {
  assert.throws(() => issue({ secret: "short" }), RangeError);
  assert.throws(() => check("x", issuedAt, { secret: new Uint8Array(15) }), RangeError);
});
