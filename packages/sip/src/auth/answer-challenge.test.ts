import assert from "node:assert/strict";
import { test } from "node:test";
import type { AuthHeader } from "../message/types.ts";
import { answerChallenge } from "./answer-challenge.ts";
import { ClientNonceCounter } from "./client-nonce-counter.ts";
import { computeHa1 } from "./compute-ha1.ts";

function digest(params: Record<string, string>): AuthHeader {
  return { scheme: "Digest", params: new Map(Object.entries(params)) };
}

/** RFC 7616 §3.9.1: the server offers SHA-256 first, then MD5. */
function rfc7616Challenge(algorithm: string): AuthHeader {
  return digest({
    realm: "http-auth@example.org",
    qop: "auth, auth-int",
    algorithm,
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
  });
}

const rfc7616Request = {
  method: "GET",
  uri: "/dir/index.html",
  username: "Mufasa",
  password: "Circle of Life",
  nc: 1,
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
} as const;

test("when the RFC 7616 §3.9.1 challenges are answered, then SHA-256 is chosen and the response is the published one", () => {
  const answer = answerChallenge({
    ...rfc7616Request,
    challenge: [rfc7616Challenge("SHA-256"), rfc7616Challenge("MD5")],
  });
  assert.equal(answer.ok, true);
  if (!answer.ok) return;
  assert.equal(answer.algorithm, "SHA-256");
  assert.equal(
    answer.header.params.get("response"),
    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
  );
  assert.equal(
    answer.value,
    'Digest username="Mufasa", realm="http-auth@example.org", ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", uri="/dir/index.html", ' +
      'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", algorithm=SHA-256, ' +
      'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ' +
      'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", qop=auth, nc=00000001',
  );
});

test("when the client only speaks MD5 (like SIPp 3.6.1), then it answers the RFC 7616 MD5 challenge with the published response", () => {
  const answer = answerChallenge({
    ...rfc7616Request,
    challenge: [rfc7616Challenge("SHA-256"), rfc7616Challenge("MD5")],
    algorithms: ["MD5"],
  });
  assert.equal(answer.ok && answer.header.params.get("response"), "8ca523f5e9506fed4657c9700eebdbec");
  assert.equal(answer.ok && answer.algorithm, "MD5");
});

test("when MD5 is listed above SHA-256 (a reordering on path), then the client still picks SHA-256", () => {
  const answer = answerChallenge({
    ...rfc7616Request,
    challenge: [rfc7616Challenge("MD5"), rfc7616Challenge("SHA-256")],
  });
  assert.equal(answer.ok && answer.algorithm, "SHA-256");
});

test("when the RFC 2617 §3.5 challenge is answered, then the response is the published one", () => {
  const answer = answerChallenge({
    challenge: digest({
      realm: "testrealm@host.com",
      qop: "auth,auth-int",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      opaque: "5ccc069c403ebaf9f0171e9517f40e41",
    }),
    method: "GET",
    uri: "/dir/index.html",
    username: "Mufasa",
    password: "Circle Of Life",
    nc: 1,
    cnonce: "0a4f113b",
  });
  assert.equal(answer.ok && answer.header.params.get("response"), "6629fae49393a05397450978507c4ef1");
  // The challenge had no algorithm parameter, so none is echoed (MD5 is implied).
  assert.equal(answer.ok && answer.header.params.has("algorithm"), false);
});

test("when the challenge has no qop (RFC 2069 server), then the answer has no qop, nc or cnonce and matches erratum 749", () => {
  const answer = answerChallenge({
    challenge: digest({
      realm: "testrealm@host.com",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      opaque: "5ccc069c403ebaf9f0171e9517f40e41",
    }),
    method: "GET",
    uri: "/dir/index.html",
    username: "Mufasa",
    password: "CircleOfLife",
  });
  assert.equal(answer.ok, true);
  if (!answer.ok) return;
  assert.equal(answer.header.params.get("response"), "1949323746fe6a43ef61f9606e7febea");
  assert.equal(answer.qop, null);
  for (const absent of ["qop", "nc", "cnonce"]) assert.equal(answer.header.params.has(absent), false, absent);
});

test("when stored HA1 values are given instead of a password, then the answer is the same", () => {
  const realm = "http-auth@example.org";
  const { password: _password, ...withoutPassword } = rfc7616Request;
  const answer = answerChallenge({
    ...withoutPassword,
    challenge: [rfc7616Challenge("SHA-256"), rfc7616Challenge("MD5")],
    ha1: {
      "SHA-256": computeHa1("SHA-256", "Mufasa", realm, "Circle of Life"),
      MD5: computeHa1("MD5", "Mufasa", realm, "Circle of Life"),
    },
  });
  assert.equal(
    answer.ok && answer.header.params.get("response"),
    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
  );
});

test("when only an MD5 HA1 is stored, then the client answers the MD5 challenge rather than SHA-256", () => {
  const { password: _password, ...withoutPassword } = rfc7616Request;
  const answer = answerChallenge({
    ...withoutPassword,
    challenge: [rfc7616Challenge("SHA-256"), rfc7616Challenge("MD5")],
    ha1: { MD5: computeHa1("MD5", "Mufasa", "http-auth@example.org", "Circle of Life") },
  });
  assert.equal(answer.ok && answer.header.params.get("response"), "8ca523f5e9506fed4657c9700eebdbec");
});

test("when the same nonce is reused through a ClientNonceCounter, then nc counts up and a new nonce restarts at 1", () => {
  const counter = new ClientNonceCounter();
  const challenge = rfc7616Challenge("SHA-256");
  const ncs = [1, 2, 3].map(() => {
    const answer = answerChallenge({ ...rfc7616Request, challenge, nc: counter });
    return answer.ok ? answer.header.params.get("nc") : undefined;
  });
  assert.deepEqual(ncs, ["00000001", "00000002", "00000003"]);
  const renewed = digest({
    realm: "http-auth@example.org",
    qop: "auth",
    nonce: "another",
    algorithm: "SHA-256",
  });
  const answer = answerChallenge({ ...rfc7616Request, challenge: renewed, nc: counter });
  assert.equal(answer.ok && answer.nc, 1);
});

test("when no challenge is usable, then the answer says so instead of throwing", () => {
  const unusable: AuthHeader[] = [
    { scheme: "Basic", params: new Map([["realm", "x"]]) },
    digest({ realm: "x", nonce: "n", algorithm: "SHA-512-256", qop: "auth" }),
    digest({ realm: "x", nonce: "n", qop: "auth-conf" }),
    digest({ realm: "x", nonce: "n", algorithm: "MD5-sess" }),
    digest({ realm: "x\r\nVia: evil", nonce: "n", qop: "auth" }),
    digest({ realm: "x" }),
  ];
  for (const challenge of unusable) {
    const answer = answerChallenge({
      challenge,
      method: "REGISTER",
      uri: "sip:x",
      username: "a",
      password: "p",
    });
    assert.equal(answer.ok, false, JSON.stringify([challenge.scheme, [...challenge.params]]));
  }
  const all = answerChallenge({
    challenge: unusable,
    method: "REGISTER",
    uri: "sip:x",
    username: "a",
    password: "p",
  });
  assert.equal(!all.ok && all.reason, "NO_USABLE_CHALLENGE");
});

test("when only auth-int is offered, then the client answers with auth-int over the body", () => {
  const challenge = digest({ realm: "x", nonce: "n", qop: "auth-int", algorithm: "SHA-256" });
  const request = {
    challenge,
    method: "INVITE",
    uri: "sip:b@x",
    username: "a",
    password: "p",
    cnonce: "c",
  } as const;
  const empty = answerChallenge(request);
  const withBody = answerChallenge({ ...request, body: new TextEncoder().encode("v=0\r\n") });
  assert.equal(empty.ok && empty.qop, "auth-int");
  assert.notEqual(
    empty.ok && empty.header.params.get("response"),
    withBody.ok && withBody.header.params.get("response"),
  );
});

test("when the username holds a quote and a backslash, then the header value escapes them", () => {
  const answer = answerChallenge({
    challenge: digest({ realm: "x", nonce: "n", qop: "auth" }),
    method: "REGISTER",
    uri: "sip:x",
    username: 'a"b\\c',
    password: "p",
    cnonce: "c",
  });
  assert.ok(answer.ok && answer.value.startsWith('Digest username="a\\"b\\\\c", realm="x"'));
});

test("when no cnonce is given, then a fresh random one is used for each answer", () => {
  const challenge = digest({ realm: "x", nonce: "n", qop: "auth" });
  const request = { challenge, method: "REGISTER", uri: "sip:x", username: "a", password: "p" } as const;
  const first = answerChallenge(request);
  const second = answerChallenge(request);
  assert.ok(first.ok && second.ok);
  assert.match(first.header.params.get("cnonce") ?? "", /^[0-9a-f]{24}$/);
  assert.notEqual(first.header.params.get("cnonce"), second.header.params.get("cnonce"));
});

test("when nc is out of range, then answering throws a RangeError", () => {
  const challenge = digest({ realm: "x", nonce: "n", qop: "auth" });
  for (const nc of [0, -1, 1.5, 2 ** 32]) {
    assert.throws(
      () =>
        answerChallenge({ challenge, method: "REGISTER", uri: "sip:x", username: "a", password: "p", nc }),
      RangeError,
    );
  }
});
