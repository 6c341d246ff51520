import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { AuthHeader } from "../message/types.ts";
import { acceptUriOnOwnHosts } from "./accept-uri-on-own-hosts.ts";
import { type AnswerChallengeInput, answerChallenge } from "./answer-challenge.ts";
import { ClientNonceCounter } from "./client-nonce-counter.ts";
import { computeDigestResponse } from "./compute-digest-response.ts";
import { computeHa1 } from "./compute-ha1.ts";
import { createChallenge } from "./create-challenge.ts";
import type { DigestAlgorithm, DigestHash } from "./digest-algorithm.ts";
import type { DigestVerifierConfig, Ha1Query } from "./digest-server-config.ts";
import { MemoryNonceCountStore } from "./memory-nonce-count-store.ts";
import { type DigestFailureReason, type DigestRequest, verifyCredentials } from "./verify-credentials.ts";

const realm = "zaqros.example";
const requestUri = "sip:zaqros.example";

/** The platform stores HA1 values only: one per hash, never the password. */
const users = new Map<string, Record<DigestHash, string>>(
  [
    ["alice", "correct horse"],
    ["bob", "battery staple"],
  ].map(([name, password]) => [
    name as string,
    {
      MD5: computeHa1("MD5", name as string, realm, password as string),
      "SHA-256": computeHa1("SHA-256", name as string, realm, password as string),
    },
  ]),
);

interface Server {
  config: DigestVerifierConfig;
  clock: { now: number };
  lookups: Ha1Query[];
}

function server(overrides: Partial<DigestVerifierConfig> = {}): Server {
  const clock = { now: 1_700_000_000_000 };
  const lookups: Ha1Query[] = [];
  const config: DigestVerifierConfig = {
    realm,
    secret: "0123456789abcdef0123456789abcdef",
    now: () => clock.now,
    lookupHa1: async (query) => {
      lookups.push(query);
      return query.realm === realm ? users.get(query.username)?.[query.hash] : undefined;
    },
    nonceCounts: new MemoryNonceCountStore(),
    ...overrides,
  };
  return { config, clock, lookups };
}

type ClientOptions = Partial<Omit<AnswerChallengeInput, "challenge" | "password" | "ha1">> & {
  password?: string;
};

/** A phone answering the server's current challenges. */
function answer(s: Server, client: ClientOptions = {}, challengeOptions = {}): AuthHeader {
  const challenge = createChallenge(s.config, challengeOptions).map((c) => c.header);
  const result = answerChallenge({
    challenge,
    method: "REGISTER",
    uri: requestUri,
    username: "alice",
    ...client,
    password: client.password ?? "correct horse",
  });
  assert.ok(result.ok, "the client must find a usable challenge");
  return result.header;
}

function request(
  credentials: DigestRequest["credentials"],
  overrides: Partial<DigestRequest> = {},
): DigestRequest {
  return { credentials, method: "REGISTER", requestUri, ...overrides };
}

async function reason(s: Server, req: DigestRequest): Promise<DigestFailureReason | "OK"> {
  const result = await verifyCredentials(s.config, req);
  return result.ok ? "OK" : result.reason;
}

function withParam(header: AuthHeader, name: string, value: string | undefined): AuthHeader {
  const params = new Map(header.params);
  if (value === undefined) params.delete(name);
  else params.set(name, value);
  return { scheme: header.scheme, params };
}

test("when a SHA-256 client answers the challenge, then verification succeeds with its username", async () => {
  const s = server();
  const credentials = answer(s);
  assert.equal(credentials.params.get("algorithm"), "SHA-256");
  const result = await verifyCredentials(s.config, request(credentials));
  assert.deepEqual(result, { ok: true, username: "alice", realm, algorithm: "SHA-256", qop: "auth" });
  assert.deepEqual(s.lookups, [{ username: "alice", realm, hash: "SHA-256" }]);
});

test("when an MD5-only client answers the challenge, then verification succeeds against the stored MD5 HA1", async () => {
  const s = server();
  const result = await verifyCredentials(s.config, request(answer(s, { algorithms: ["MD5"] })));
  assert.equal(result.ok && result.algorithm, "MD5");
});

test("when the server offers SHA-256 then MD5, then the challenges come in that order with qop=auth and one nonce", () => {
  const s = server();
  const challenges = createChallenge(s.config);
  assert.deepEqual(
    challenges.map((c) => c.algorithm),
    ["SHA-256", "MD5"],
  );
  const nonce = challenges[0]?.header.params.get("nonce");
  for (const c of challenges) {
    assert.equal(c.header.params.get("qop"), "auth");
    assert.equal(c.header.params.get("realm"), realm);
    assert.equal(c.header.params.get("nonce"), nonce);
    assert.equal(c.header.params.has("stale"), false);
    assert.match(
      c.value,
      /^Digest realm="zaqros\.example", nonce="[A-Za-z0-9_-]{64}", algorithm=(SHA-256|MD5), qop="auth"$/,
    );
  }
});

test("when the nonce has expired and the digest is right, then STALE_NONCE, and the stale=true re-challenge is answered", async () => {
  const s = server();
  const credentials = answer(s);
  s.clock.now += 300_001;
  assert.equal(await reason(s, request(credentials)), "STALE_NONCE");

  const rechallenge = createChallenge(s.config, { stale: true });
  assert.ok(
    rechallenge.every((c) => c.header.params.get("stale") === "true" && c.value.endsWith(", stale=true")),
  );
  assert.equal(await reason(s, request(answer(s, {}, { stale: true }))), "OK");
});

test("when the nonce has expired and the password is wrong, then BAD_RESPONSE (stale is not offered)", async () => {
  const s = server();
  const credentials = answer(s, { password: "wrong" });
  s.clock.now += 300_001;
  assert.equal(await reason(s, request(credentials)), "BAD_RESPONSE");
});

test("when a nonce lifetime is configured, then it decides when the nonce goes stale", async () => {
  const s = server({ nonceLifetimeMs: 30_000 });
  const credentials = answer(s);
  s.clock.now += 30_000;
  assert.equal(await reason(s, request(answer(s))), "OK");
  s.clock.now += 1;
  assert.equal(await reason(s, request(credentials)), "STALE_NONCE");
});

test("when the nonce's timestamp is tampered with (and the response recomputed), then BAD_NONCE", async () => {
  const s = server();
  const genuine = createChallenge(s.config)[0]?.header;
  assert.ok(genuine);
  const bytes = Buffer.from(genuine.params.get("nonce") ?? "", "base64url");
  bytes.writeUIntBE(s.clock.now + 3_000, 1, 6);
  const forged = withParam(genuine, "nonce", bytes.toString("base64url"));
  const result = answerChallenge({
    challenge: forged,
    method: "REGISTER",
    uri: requestUri,
    username: "alice",
    password: "correct horse",
  });
  assert.ok(result.ok);
  assert.equal(await reason(s, request(result.header)), "BAD_NONCE");
});

test("when the nonce was made with another secret or is invented, then BAD_NONCE", async () => {
  const s = server();
  const other = server({ secret: "another secret, also long enough" });
  assert.equal(await reason(s, request(answer(other))), "BAD_NONCE");
  const invented = withParam(
    { scheme: "Digest", params: new Map([["realm", realm]]) },
    "nonce",
    "A".repeat(64),
  );
  const result = answerChallenge({
    challenge: withParam(invented, "qop", "auth"),
    method: "REGISTER",
    uri: requestUri,
    username: "alice",
    password: "correct horse",
  });
  assert.ok(result.ok);
  assert.equal(await reason(s, request(result.header)), "BAD_NONCE");
});

test("when the same Authorization is sent twice, then the second is a REPLAY", async () => {
  const s = server();
  const credentials = answer(s);
  assert.equal(await reason(s, request(credentials)), "OK");
  assert.equal(await reason(s, request(credentials)), "REPLAY");
});

test("when a client reuses a nonce with rising nc, then each is accepted and a lower nc is a REPLAY", async () => {
  const s = server();
  const challenge = createChallenge(s.config).map((c) => c.header);
  const counter = new ClientNonceCounter();
  const send = async (nc: number | ClientNonceCounter) => {
    const result = answerChallenge({
      challenge,
      method: "REGISTER",
      uri: requestUri,
      username: "alice",
      password: "correct horse",
      nc,
    });
    assert.ok(result.ok);
    return reason(s, request(result.header));
  };
  assert.deepEqual([await send(counter), await send(counter), await send(counter)], ["OK", "OK", "OK"]);
  assert.equal(await send(2), "REPLAY");
  assert.equal(await send(10), "OK");
});

test("when the password is wrong, then BAD_RESPONSE and the claimed username is reported", async () => {
  const s = server();
  const result = await verifyCredentials(s.config, request(answer(s, { password: "Correct horse" })));
  assert.deepEqual(
    [result.ok, !result.ok && result.reason, !result.ok && result.username],
    [false, "BAD_RESPONSE", "alice"],
  );
});

test("when the username is unknown, then UNKNOWN_USER", async () => {
  const s = server();
  assert.equal(await reason(s, request(answer(s, { username: "mallory" }))), "UNKNOWN_USER");
});

test("when the method or body differs from what was signed, then BAD_RESPONSE", async () => {
  const s = server();
  assert.equal(await reason(s, request(answer(s), { method: "INVITE" })), "BAD_RESPONSE");
  const challenge = createChallenge(s.config).map((c) => withParam(c.header, "qop", "auth-int"));
  const body = new TextEncoder().encode("v=0\r\n");
  const signed = answerChallenge({
    challenge,
    method: "INVITE",
    uri: requestUri,
    username: "alice",
    password: "correct horse",
    body,
  });
  assert.ok(signed.ok && signed.qop === "auth-int");
  assert.equal(
    await reason(s, request(signed.header, { method: "INVITE", body: new TextEncoder().encode("v=1\r\n") })),
    "BAD_RESPONSE",
  );
  assert.equal(await reason(s, request(signed.header, { method: "INVITE", body })), "OK");
});

test("when SIPp sends uri=sip:host:port of this server, then it is accepted; when the host is not ours, URI_MISMATCH", async () => {
  const sippUri = "sip:127.0.0.1:5060";
  const registerTo = "sip:alice@zaqros.example";
  for (const [ownHosts, expected] of [
    [["127.0.0.1:5060"], "OK"],
    [["127.0.0.1"], "OK"],
    [["192.0.2.10:5060"], "URI_MISMATCH"],
  ] as const) {
    const s = server({ acceptUri: acceptUriOnOwnHosts(ownHosts), algorithms: ["SHA-256", "MD5"] });
    const credentials = answer(s, { uri: sippUri, algorithms: ["MD5"] });
    assert.equal(
      await reason(s, request(credentials, { requestUri: registerTo })),
      expected,
      ownHosts.join(),
    );
  }
  const strict = server();
  assert.equal(
    await reason(strict, request(answer(strict, { uri: sippUri }), { requestUri: registerTo })),
    "URI_MISMATCH",
  );
});

test("when credentials are laid out exactly as SIPp 3.6.1 writes them, then they verify", async () => {
  const s = server({ acceptUri: acceptUriOnOwnHosts(["127.0.0.1:5060"]) });
  const nonce = createChallenge(s.config)[1]?.header.params.get("nonce") ?? "";
  const uri = "sip:127.0.0.1:5060";
  const response = computeDigestResponse({
    algorithm: "MD5",
    ha1: computeHa1("MD5", "alice", realm, "correct horse"),
    nonce,
    method: "REGISTER",
    uri,
    qop: "auth",
    nc: "00000001",
    cnonce: "6b8b4567",
  });
  const sipp: AuthHeader = {
    scheme: "Digest",
    params: new Map([
      ["username", "alice"],
      ["realm", realm],
      ["cnonce", "6b8b4567"],
      ["nc", "00000001"],
      ["qop", "auth"],
      ["uri", uri],
      ["nonce", nonce],
      ["response", response],
      ["algorithm", "MD5"],
    ]),
  };
  assert.equal(await reason(s, request(sipp, { requestUri: "sip:zaqros.example:5060" })), "OK");
});

test("when no credentials, only Basic, or only another realm's are sent, then MISSING or WRONG_REALM", async () => {
  const s = server();
  assert.equal(await reason(s, request(undefined)), "MISSING");
  assert.equal(await reason(s, request([])), "MISSING");
  const basic: AuthHeader = { scheme: "Basic", params: new Map([["realm", realm]]) };
  assert.equal(await reason(s, request(basic)), "MISSING");
  const foreign = withParam(answer(s), "realm", "carrier.example");
  assert.equal(await reason(s, request(foreign)), "WRONG_REALM");
});

test("when several Authorization fields are sent, then the one for our realm is verified", async () => {
  const s = server();
  const ours = answer(s);
  const foreign = withParam(answer(s), "realm", "carrier.example");
  assert.equal(await reason(s, request([foreign, ours])), "OK");
});

test("when the algorithm is not one we implement or accept, then UNSUPPORTED_ALGORITHM", async () => {
  const s = server();
  assert.equal(
    await reason(s, request(withParam(answer(s), "algorithm", "SHA-512-256"))),
    "UNSUPPORTED_ALGORITHM",
  );
  const shaOnly = server({ algorithms: ["SHA-256"] });
  const md5 = answer(server(), { algorithms: ["MD5"] });
  assert.equal(await reason(shaOnly, request(md5)), "UNSUPPORTED_ALGORITHM");
});

test("when -sess algorithms are offered, then a client using them verifies", async () => {
  for (const algorithm of ["SHA-256-sess", "MD5-sess"] as DigestAlgorithm[]) {
    const s = server({ algorithms: [algorithm] });
    const credentials = answer(s);
    assert.equal(credentials.params.get("algorithm"), algorithm);
    assert.equal(await reason(s, request(credentials)), "OK", algorithm);
  }
});

/** An RFC 2069 client: the challenge it understands has no qop. */
function legacyAnswer(s: Server): AuthHeader {
  const challenge = createChallenge(s.config).map((c) => withParam(c.header, "qop", undefined));
  const result = answerChallenge({
    challenge,
    method: "REGISTER",
    uri: requestUri,
    username: "alice",
    password: "correct horse",
    algorithms: ["MD5"],
  });
  assert.ok(result.ok && result.qop === null);
  return result.header;
}

test("when an RFC 2069 client answers without qop, then it verifies once and its reuse is answered STALE_NONCE", async () => {
  const s = server();
  const credentials = legacyAnswer(s);
  const first = await verifyCredentials(s.config, request(credentials));
  assert.equal(first.ok && first.qop, null);
  assert.equal(await reason(s, request(credentials)), "STALE_NONCE");
});

test("when the legacy policy allows reuse within the lifetime, then a no-qop nonce works until it expires", async () => {
  const s = server({ legacyNoQop: "within-lifetime" });
  const credentials = legacyAnswer(s);
  assert.equal(await reason(s, request(credentials)), "OK");
  assert.equal(await reason(s, request(credentials)), "OK");
  s.clock.now += 300_001;
  assert.equal(await reason(s, request(credentials)), "STALE_NONCE");
});

test("when the legacy policy rejects credentials without qop, then they are MALFORMED", async () => {
  const s = server({ legacyNoQop: "reject" });
  assert.equal(await reason(s, request(legacyAnswer(s))), "MALFORMED");
});

test("when the nonce-count store has forgotten a nonce, then its reuse is STALE_NONCE, never accepted", async () => {
  const s = server({ nonceCounts: new MemoryNonceCountStore({ maxEntries: 2 }) });
  const firstChallenge = createChallenge(s.config).map((c) => c.header);
  const send = async (challenge: AuthHeader[], nc: number) => {
    const result = answerChallenge({
      challenge,
      method: "REGISTER",
      uri: requestUri,
      username: "alice",
      password: "correct horse",
      nc,
    });
    assert.ok(result.ok);
    return reason(s, request(result.header));
  };
  assert.equal(await send(firstChallenge, 1), "OK");
  for (let i = 0; i < 3; i++) {
    s.clock.now += 1;
    assert.equal(
      await send(
        createChallenge(s.config).map((c) => c.header),
        1,
      ),
      "OK",
    );
  }
  assert.equal(await send(firstChallenge, 1), "STALE_NONCE");
  assert.equal(await send(firstChallenge, 2), "STALE_NONCE");
});

test("when required parameters are missing or ill-formed, then MALFORMED", async () => {
  const s = server();
  const good = answer(s);
  const cases: [string, string | undefined][] = [
    ["username", undefined],
    ["username", ""],
    ["nonce", undefined],
    ["uri", undefined],
    ["response", undefined],
    ["response", "abc"],
    ["response", "z".repeat(64)],
    ["qop", "auth-conf"],
    ["nc", undefined],
    ["nc", "1"],
    ["nc", "0000000g"],
    ["nc", "00000000"],
    ["cnonce", undefined],
  ];
  for (const [name, value] of cases) {
    assert.equal(await reason(s, request(withParam(good, name, value))), "MALFORMED", `${name}=${value}`);
  }
  const extended = withParam(withParam(good, "username", undefined), "username*", "UTF-8''alice");
  assert.equal(await reason(s, request(extended)), "MALFORMED");
  assert.equal(await reason(s, request(withParam(good, "userhash", "true"))), "MALFORMED");
  const sessWithoutQop = withParam(withParam(good, "algorithm", "MD5-sess"), "qop", undefined);
  assert.equal(await reason(server({ algorithms: ["MD5-sess"] }), request(sessWithoutQop)), "MALFORMED");
});

test("when the response hex is upper case, then it still verifies", async () => {
  const s = server();
  const good = answer(s);
  const upper = withParam(good, "response", good.params.get("response")?.toUpperCase());
  assert.equal(await reason(s, request(upper)), "OK");
});

test("when arbitrary Authorization headers arrive, then verification never throws and never accepts", async () => {
  const s = server();
  const genuine = answer(s);
  // Used once, so that even a fuzzed copy of it can only be a replay.
  assert.equal(await reason(s, request(genuine)), "OK");
  const names = [
    "username",
    "realm",
    "nonce",
    "uri",
    "response",
    "algorithm",
    "qop",
    "nc",
    "cnonce",
    "opaque",
    "userhash",
  ];
  const header = fc.record({
    scheme: fc.constantFrom("Digest", "digest", "Basic", "", "DIGEST"),
    params: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })),
          fc.oneof(
            fc.string({ maxLength: 80 }),
            fc.constantFrom(...[...genuine.params.values()], "MD5", "SHA-256", "auth", "00000001", realm),
          ),
        ),
        { maxLength: 12 },
      )
      .map((entries) => new Map(entries)),
  });
  await fc.assert(
    fc.asyncProperty(fc.oneof(header, fc.array(header, { maxLength: 3 })), async (credentials) => {
      const result = await verifyCredentials(s.config, request(credentials));
      assert.equal(result.ok, false);
    }),
    { numRuns: 300 },
  );
});

test("when a JavaScript caller passes malformed objects as headers, then the result is MISSING, not an exception", async () => {
  const s = server();
  const junk = [{ scheme: "Digest" }, { scheme: 42, params: new Map() }, null] as unknown as AuthHeader[];
  assert.equal(await reason(s, request(junk)), "MISSING");
});

test("when the lookup returns something that is not an HA1, then verification rejects with a TypeError", async () => {
  const s = server({ lookupHa1: () => "not-hex" });
  await assert.rejects(verifyCredentials(s.config, request(answer(s))), TypeError);
});
