import assert from "node:assert/strict";
import { test } from "node:test";
import { quoteString, serializeChallenge, serializeCredentials } from "./serialize-auth-header.ts";

test("when a challenge is serialized, then stale and algorithm are tokens and realm, nonce and qop are quoted", () => {
  const value = serializeChallenge({
    scheme: "Digest",
    params: new Map([
      ["realm", "atlanta.com"],
      ["nonce", "abc"],
      ["algorithm", "SHA-256"],
      ["qop", "auth"],
      ["stale", "true"],
    ]),
  });
  assert.equal(value, 'Digest realm="atlanta.com", nonce="abc", algorithm=SHA-256, qop="auth", stale=true');
});

test("when credentials are serialized, then qop, nc and algorithm are tokens and uri is quoted", () => {
  const value = serializeCredentials({
    scheme: "Digest",
    params: new Map([
      ["username", "bob"],
      ["uri", "sip:bob@biloxi.com"],
      ["qop", "auth"],
      ["nc", "00000001"],
      ["algorithm", "MD5"],
    ]),
  });
  assert.equal(
    value,
    'Digest username="bob", uri="sip:bob@biloxi.com", qop=auth, nc=00000001, algorithm=MD5',
  );
});

test("when a value holds quotes and backslashes, then they are escaped as quoted-pairs", () => {
  assert.equal(quoteString('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');
  assert.equal(quoteString("tab\there"), '"tab\there"');
});

test("when a value holds CR, LF or another control character, then quoting throws instead of injecting a header", () => {
  for (const value of ["a\r\nVia: x", "a\n", "a\r", "a\u0000", "a\u007f"]) {
    assert.throws(() => quoteString(value), RangeError, JSON.stringify(value));
  }
  assert.throws(
    () => serializeChallenge({ scheme: "Digest", params: new Map([["realm", "x\r\nContact: evil"]]) }),
    RangeError,
  );
});

test("when a token position holds a value that is not a token, then it is quoted rather than written bare", () => {
  const value = serializeCredentials({ scheme: "Digest", params: new Map([["algorithm", "MD5, evil=1"]]) });
  assert.equal(value, 'Digest algorithm="MD5, evil=1"');
});

test("when a scheme or parameter name is not a token, then serialization throws", () => {
  assert.throws(() => serializeChallenge({ scheme: "Di gest", params: new Map() }), RangeError);
  assert.throws(
    () => serializeChallenge({ scheme: "Digest", params: new Map([["re alm", "x"]]) }),
    RangeError,
  );
});
