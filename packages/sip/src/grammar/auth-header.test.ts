import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatAuthHeader, parseAuthHeader } from "./auth-header.ts";
import { SipParseError } from "./sip-parse-error.ts";

describe("parseAuthHeader", () => {
  test("when a Digest challenge has quoted and token values, then names are lower-cased and values unquoted", () => {
    assert.deepEqual(
      parseAuthHeader(
        'Digest realm="atlanta.com", NONCE="84a4cc6f3082121f32b42a2187831a9e",\tqop="auth,auth-int" , algorithm=SHA-256, stale=FALSE',
      ),
      [
        {
          scheme: "Digest",
          params: new Map([
            ["realm", "atlanta.com"],
            ["nonce", "84a4cc6f3082121f32b42a2187831a9e"],
            ["qop", "auth,auth-int"],
            ["algorithm", "SHA-256"],
            ["stale", "FALSE"],
          ]),
        },
      ],
    );
  });

  test("when a quoted value holds escaped quotes and commas, then it is unescaped whole", () => {
    const [header] = parseAuthHeader('Digest username="a \\"b\\", c", uri="sip:x@y;transport=tcp"');
    assert.equal(header?.params.get("username"), 'a "b", c');
    assert.equal(header?.params.get("uri"), "sip:x@y;transport=tcp");
  });

  test("when one field holds two challenges, then both are returned in order", () => {
    const headers = parseAuthHeader(
      'Digest realm="a", nonce="1", algorithm=MD5, Digest realm="a", nonce="2", algorithm=SHA-256',
    );
    assert.deepEqual(
      headers.map((h) => h.params.get("algorithm")),
      ["MD5", "SHA-256"],
    );
  });

  test("when the value is malformed, then BAD_AUTH is thrown", () => {
    for (const text of [
      "",
      "Digest realm",
      'Digest realm="open',
      "Digest realm=",
      "realm=x",
      "Digest a=1 b=2",
    ]) {
      assert.throws(
        () => parseAuthHeader(text),
        (e: unknown) => e instanceof SipParseError && e.code === "BAD_AUTH",
        text,
      );
    }
  });
});

describe("formatAuthHeader", () => {
  test("when credentials are formatted, then qop, nc and algorithm stay unquoted and the rest is quoted", () => {
    const text = formatAuthHeader(
      {
        scheme: "Digest",
        params: new Map([
          ["username", 'bob "the" builder'],
          ["qop", "auth"],
          ["nc", "00000001"],
          ["algorithm", "MD5"],
          ["response", "6629fae49393a05397450978507c4ef1"],
        ]),
      },
      "credentials",
    );
    assert.equal(
      text,
      'Digest username="bob \\"the\\" builder", qop=auth, nc=00000001, algorithm=MD5, response="6629fae49393a05397450978507c4ef1"',
    );
    assert.equal(parseAuthHeader(text)[0]?.params.get("username"), 'bob "the" builder');
  });

  test("when a challenge is formatted, then qop is quoted", () => {
    const text = formatAuthHeader({ scheme: "Digest", params: new Map([["qop", "auth"]]) }, "challenge");
    assert.equal(text, 'Digest qop="auth"');
  });
});
