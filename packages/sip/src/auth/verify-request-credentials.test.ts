import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAuthHeader } from "../grammar/auth-header.ts";
import { parseMessage } from "../message/parse-message.ts";
import type { SipRequest } from "../message/types.ts";
import { acceptUriOnOwnHosts } from "./accept-uri-on-own-hosts.ts";
import { answerChallenge } from "./answer-challenge.ts";
import { computeDigestResponse } from "./compute-digest-response.ts";
import { computeHa1 } from "./compute-ha1.ts";
import { createChallenge } from "./create-challenge.ts";
import type { DigestVerifierConfig } from "./digest-server-config.ts";
import { MemoryNonceCountStore } from "./memory-nonce-count-store.ts";
import { verifyRequestCredentials } from "./verify-request-credentials.ts";

const realm = "zaqros.example";
const ha1 = {
  MD5: computeHa1("MD5", "alice", realm, "pw"),
  "SHA-256": computeHa1("SHA-256", "alice", realm, "pw"),
};

function config(): DigestVerifierConfig {
  return {
    realm,
    secret: "0123456789abcdef0123456789abcdef",
    now: () => 1_700_000_000_000,
    lookupHa1: ({ username, hash }) => (username === "alice" ? ha1[hash] : undefined),
    nonceCounts: new MemoryNonceCountStore(),
    acceptUri: acceptUriOnOwnHosts(["127.0.0.1:5060"]),
  };
}

/** A REGISTER as it arrives on the wire, parsed by the message layer. */
function registerWith(fields: Record<string, string[]>): SipRequest {
  const lines = [
    `REGISTER sip:${realm} SIP/2.0`,
    "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-reg-1",
    `From: <sip:alice@${realm}>;tag=1`,
    `To: <sip:alice@${realm}>`,
    "Call-ID: reg-1@127.0.0.1",
    "CSeq: 2 REGISTER",
    "Max-Forwards: 70",
    ...Object.entries(fields).flatMap(([name, values]) => values.map((value) => `${name}: ${value}`)),
    "Content-Length: 0",
    "",
    "",
  ];
  const message = parseMessage(new TextEncoder().encode(lines.join("\r\n")));
  assert.equal(message.kind, "request");
  return message as SipRequest;
}

/** The Authorization line SIPp 3.6.1 writes for a REGISTER to 127.0.0.1:5060. */
function sippAuthorization(nonce: string, cnonce = "6b8b4567"): string {
  const uri = "sip:127.0.0.1:5060";
  const response = computeDigestResponse({
    algorithm: "MD5",
    ha1: ha1.MD5,
    nonce,
    method: "REGISTER",
    uri,
    qop: "auth",
    nc: "00000001",
    cnonce,
  });
  return `Digest username="alice",realm="${realm}",cnonce="${cnonce}",nc=00000001,qop=auth,uri="${uri}",nonce="${nonce}",response="${response}",algorithm=MD5`;
}

test("when SIPp's Authorization text is parsed from the request, then it verifies and a second copy is a replay", async () => {
  const server = config();
  const nonce = createChallenge(server)[1]?.header.params.get("nonce") ?? "";
  const request = registerWith({ Authorization: [sippAuthorization(nonce)] });
  const first = await verifyRequestCredentials(server, request);
  assert.deepEqual(first, { ok: true, username: "alice", realm, algorithm: "MD5", qop: "auth" });
  const second = await verifyRequestCredentials(server, request);
  assert.equal(!second.ok && second.reason, "REPLAY");
});

test("when one Authorization field is garbled and another is valid, then the valid one is used", async () => {
  const server = config();
  const nonce = createChallenge(server)[1]?.header.params.get("nonce") ?? "";
  const request = registerWith({
    authorization: ['Digest username="unterminated', sippAuthorization(nonce)],
  });
  assert.equal((await verifyRequestCredentials(server, request)).ok, true);
});

test("when the only Authorization field is garbled, then MALFORMED, and without any field MISSING", async () => {
  const server = config();
  for (const garbled of ['Digest username="unterminated', "Digest ,,=", "Digest realm=a b=c", ""]) {
    const result = await verifyRequestCredentials(server, registerWith({ Authorization: [garbled] }));
    assert.equal(!result.ok && result.reason, "MALFORMED", JSON.stringify(garbled));
  }
  const none = await verifyRequestCredentials(server, registerWith({}));
  assert.equal(!none.ok && none.reason, "MISSING");
});

test("when a proxy verifies, then it reads Proxy-Authorization and ignores Authorization", async () => {
  const server = config();
  const nonce = createChallenge(server)[1]?.header.params.get("nonce") ?? "";
  const request = registerWith({ "Proxy-Authorization": [sippAuthorization(nonce)] });
  assert.equal((await verifyRequestCredentials(server, request, "proxy-authorization")).ok, true);
  const asUas = await verifyRequestCredentials(server, request);
  assert.equal(!asUas.ok && asUas.reason, "MISSING");
});

test("when challenges and the answer travel as header text, then SHA-256 and MD5 clients both verify", async () => {
  for (const algorithms of [undefined, ["MD5"] as const]) {
    const server = config();
    const challengeLines = createChallenge(server).map((c) => c.value);
    const answer = answerChallenge({
      challenge: challengeLines.flatMap((line) => parseAuthHeader(line)),
      method: "REGISTER",
      uri: `sip:${realm}`,
      username: "alice",
      password: "pw",
      ...(algorithms === undefined ? {} : { algorithms }),
    });
    assert.ok(answer.ok);
    const result = await verifyRequestCredentials(server, registerWith({ Authorization: [answer.value] }));
    assert.equal(result.ok && result.algorithm, algorithms === undefined ? "SHA-256" : "MD5");
  }
});

test("when a realm holds quotes and backslashes, then the challenge text parses back to the same realm", () => {
  const server = { ...config(), realm: 'the "best" \\ realm' };
  for (const { value } of createChallenge(server, { stale: true })) {
    const [parsed] = parseAuthHeader(value);
    assert.equal(parsed?.params.get("realm"), server.realm);
    assert.equal(parsed?.params.get("stale"), "true");
  }
});
