import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { HmacSha256Key } from "./hmac-sha256.ts";

test("when the RFC 4231 test vectors are signed, then each MAC is the one the RFC lists", () => {
  // RFC 4231 §4.2 (test case 1), §4.3 (case 2) and §4.7 (case 6: a 131-byte key, hashed first).
  const cases = [
    {
      key: Buffer.alloc(20, 0x0b),
      data: Buffer.from("Hi There"),
      mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    },
    {
      key: Buffer.from("Jefe"),
      data: Buffer.from("what do ya want for nothing?"),
      mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    },
    {
      key: Buffer.alloc(131, 0xaa),
      data: Buffer.from("Test Using Larger Than Block-Size Key - Hash Key First"),
      mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    },
  ];
  for (const { key, data, mac } of cases) {
    assert.equal(new HmacSha256Key(key).mac(data).toString("hex"), mac);
  }
});

test("when any key signs a message split in parts, then the MAC equals node's createHmac of the whole", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 200 }),
      fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 4 }),
      (key, parts) => {
        const expected = createHmac("sha256", key).update(Buffer.concat(parts)).digest();
        assert.deepEqual(new HmacSha256Key(key).mac(...parts), expected);
      },
    ),
  );
});

test("when a key is exactly one block or one byte longer, then only the longer one is hashed first", () => {
  for (const length of [63, 64, 65]) {
    const key = Buffer.alloc(length, 0x5a);
    const data = Buffer.from("REGISTER");
    assert.deepEqual(
      new HmacSha256Key(key).mac(data),
      createHmac("sha256", key).update(data).digest(),
      `${length}`,
    );
  }
});

test("when one key signs two messages, then the second MAC does not depend on the first", () => {
  const key = new HmacSha256Key(Buffer.from("a server secret of 32 bytes!!!!!"));
  const first = key.mac(Buffer.from("one"));
  key.mac(Buffer.from("two"));
  assert.deepEqual(key.mac(Buffer.from("one")), first);
});
