import assert from "node:assert/strict";
import { test } from "node:test";
import { computeDigestResponse } from "./compute-digest-response.ts";
import { computeHa1 } from "./compute-ha1.ts";

test("when the RFC 2617 §3.5 example is computed (MD5, qop=auth), then the response is the published one", () => {
  const response = computeDigestResponse({
    algorithm: "MD5",
    ha1: computeHa1("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life"),
    nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth",
    nc: "00000001",
    cnonce: "0a4f113b",
  });
  assert.equal(response, "6629fae49393a05397450978507c4ef1");
});

const rfc7616 = {
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  realm: "http-auth@example.org",
} as const;

test("when the RFC 7616 §3.9.1 MD5 example is computed, then the response is the published one", () => {
  const response = computeDigestResponse({
    algorithm: "MD5",
    ha1: computeHa1("MD5", "Mufasa", rfc7616.realm, "Circle of Life"),
    nonce: rfc7616.nonce,
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth",
    nc: "00000001",
    cnonce: rfc7616.cnonce,
  });
  assert.equal(response, "8ca523f5e9506fed4657c9700eebdbec");
});

test("when the RFC 7616 §3.9.1 SHA-256 example is computed, then the response is the published one", () => {
  const response = computeDigestResponse({
    algorithm: "SHA-256",
    ha1: computeHa1("SHA-256", "Mufasa", rfc7616.realm, "Circle of Life"),
    nonce: rfc7616.nonce,
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth",
    nc: "00000001",
    cnonce: rfc7616.cnonce,
  });
  assert.equal(response, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
});

test("when the RFC 2069 example is computed without qop, then the response is the one of RFC 2069 erratum 749", () => {
  const response = computeDigestResponse({
    algorithm: "MD5",
    ha1: computeHa1("MD5", "Mufasa", "testrealm@host.com", "CircleOfLife"),
    nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
    method: "GET",
    uri: "/dir/index.html",
  });
  assert.equal(response, "1949323746fe6a43ef61f9606e7febea");
});

test("when a stored HA1 is written in upper-case hex, then the response is the same as with lower case", () => {
  const ha1 = computeHa1("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life");
  const input = {
    algorithm: "MD5",
    nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth",
    nc: "00000001",
    cnonce: "0a4f113b",
  } as const;
  assert.equal(
    computeDigestResponse({ ...input, ha1: ha1.toUpperCase() }),
    computeDigestResponse({ ...input, ha1 }),
  );
});

test("when auth-int is used, then the body changes the response and no body equals an empty body", () => {
  const base = {
    algorithm: "SHA-256",
    ha1: computeHa1("SHA-256", "alice", "example.com", "secret"),
    nonce: "n",
    method: "INVITE",
    uri: "sip:bob@example.com",
    qop: "auth-int",
    nc: "00000001",
    cnonce: "c",
  } as const;
  const withBody = computeDigestResponse({ ...base, body: new TextEncoder().encode("v=0\r\n") });
  const withoutBody = computeDigestResponse(base);
  assert.notEqual(withBody, withoutBody);
  assert.equal(withoutBody, computeDigestResponse({ ...base, body: new Uint8Array(0) }));
  assert.notEqual(withoutBody, computeDigestResponse({ ...base, qop: "auth" }));
});

test("when a -sess algorithm is used, then the cnonce enters A1 and the response differs from the plain algorithm", () => {
  const base = {
    ha1: computeHa1("MD5", "alice", "example.com", "secret"),
    nonce: "n",
    method: "REGISTER",
    uri: "sip:example.com",
    qop: "auth",
    nc: "00000001",
  } as const;
  const sess1 = computeDigestResponse({ ...base, algorithm: "MD5-sess", cnonce: "c1" });
  const plain1 = computeDigestResponse({ ...base, algorithm: "MD5", cnonce: "c1" });
  assert.notEqual(sess1, plain1);
  assert.equal(sess1.length, 32);
});

test("when a -sess algorithm or qop lacks a cnonce, then computing throws a TypeError", () => {
  const ha1 = computeHa1("MD5", "alice", "example.com", "secret");
  assert.throws(
    () => computeDigestResponse({ algorithm: "MD5-sess", ha1, nonce: "n", method: "REGISTER", uri: "sip:x" }),
    TypeError,
  );
  assert.throws(
    () =>
      computeDigestResponse({
        algorithm: "MD5",
        ha1,
        nonce: "n",
        method: "REGISTER",
        uri: "sip:x",
        qop: "auth",
      }),
    TypeError,
  );
});

test("when HA1 is computed for a -sess algorithm, then it is the stored value of its hash", () => {
  assert.equal(computeHa1("SHA-256-sess", "a", "r", "p"), computeHa1("SHA-256", "a", "r", "p"));
  assert.equal(computeHa1("SHA-256", "a", "r", "p").length, 64);
  assert.equal(computeHa1("MD5", "a", "r", "p").length, 32);
});
