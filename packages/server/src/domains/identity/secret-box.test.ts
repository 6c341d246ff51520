import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SecretBox } from "./secret-box.ts";

describe("secret box (AES-256-GCM, key from the server secret)", () => {
  const box = new SecretBox("s".repeat(43), "totp-secret");
  const seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

  test("when a seed is sealed, then the stored value hides it, differs each time and opens for its owner", () => {
    const first = box.seal(seed, "account-1");
    const second = box.seal(seed, "account-1");
    assert.ok(SecretBox.isSealed(first));
    assert.ok(!first.includes(seed));
    assert.notEqual(first, second, "a fresh nonce each time");
    assert.equal(box.open(first, "account-1"), seed);
  });

  test("when a sealed value is moved to another owner, altered, or opened with another server secret, then it does not open", () => {
    const sealed = box.seal(seed, "account-1");
    assert.throws(() => box.open(sealed, "account-2"));
    const bytes = Buffer.from(sealed.slice(5), "base64url");
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    assert.throws(() => box.open(`zqs1:${bytes.toString("base64url")}`, "account-1"));
    assert.throws(() => new SecretBox("t".repeat(43), "totp-secret").open(sealed, "account-1"));
    assert.throws(() => new SecretBox("s".repeat(43), "other-purpose").open(sealed, "account-1"));
    assert.throws(() => box.open(seed, "account-1"), /not a sealed value/);
  });
});
