import assert from "node:assert/strict";
import { test } from "node:test";
import { createChallenge } from "./create-challenge.ts";
import { serializeChallenge } from "./serialize-auth-header.ts";

const secret = "a-secret-of-at-least-sixteen-bytes";

test("when challenges are made again and again, then each value is the header it describes, with its own fresh nonce", () => {
  const config = { realm: "voice.example.com", secret, now: () => 1_700_000_000_000 };
  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) {
    for (const stale of [false, true]) {
      for (const challenge of createChallenge({ ...config, algorithms: ["SHA-256", "MD5"] }, { stale })) {
        assert.equal(challenge.value, serializeChallenge(challenge.header));
        assert.equal(challenge.header.params.get("stale"), stale ? "true" : undefined);
        seen.add(challenge.header.params.get("nonce") ?? "");
      }
    }
  }
  assert.equal(seen.size, 6, "one nonce per call, shared by its algorithms");
});

test("when the realm holds quotes or text like the nonce stand-in, then the value still has the realm escaped and the real nonce", () => {
  const realm = 'odd "realm" NONCEPLACEHOLDER nonce="NONCEPLACEHOLDER"';
  const [challenge] = createChallenge({ realm, secret, now: () => 0, algorithms: ["MD5"] });
  assert.ok(challenge);
  assert.equal(challenge.value, serializeChallenge(challenge.header));
  assert.match(
    challenge.value,
    /^Digest realm="odd \\"realm\\" NONCEPLACEHOLDER nonce=\\"NONCEPLACEHOLDER\\"", nonce="[A-Za-z0-9_-]{64}"/,
  );
});
