import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { SipParseError } from "../grammar/sip-parse-error.ts";
import { checkRequest } from "./checks.ts";
import { parseMessage } from "./parse-message.ts";
import { serializeMessage } from "./serialize-message.ts";
import { StreamFramer } from "./stream-framer.ts";
import { arbitraryMessage } from "./testing/arbitrary-message.ts";
import { messageSnapshot } from "./testing/message-snapshot.ts";
import type { SipMessage } from "./types.ts";

const numRuns = Number(process.env.ZAQROS_PROPERTY_RUNS ?? 300);

const corpusDir = new URL("../../testdata/rfc4475/", import.meta.url);
const corpus = readdirSync(corpusDir)
  .filter((f) => f.endsWith(".dat"))
  .map((f) => new Uint8Array(readFileSync(new URL(f, corpusDir))));

/** Reads everything a stack would read from a message, so lazy parsing cannot hide a crash. */
function useFully(message: SipMessage): void {
  messageSnapshot(message);
  if (message.kind === "request") {
    checkRequest(message);
    checkRequest(message, { role: "proxy", registrar: true });
  }
  serializeMessage(message);
}

/** Parses and uses bytes; returns the error if it was a SipParseError, rethrows anything else. */
function parseAndUse(bytes: Uint8Array): SipParseError | undefined {
  try {
    useFully(parseMessage(bytes, { validate: true }));
    return undefined;
  } catch (error) {
    if (error instanceof SipParseError) return error;
    throw error;
  }
}

type Mutation = (bytes: Uint8Array) => Uint8Array;

const specialBytes = [
  0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x3b, 0x2c, 0x22, 0x3c, 0x3e, 0x25, 0x5c, 0x40, 0x00, 0xff, 0xc3, 0x80,
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat(255)).map(
    ([at, value]): Mutation =>
      (b) => {
        const out = new Uint8Array(b);
        if (out.length > 0) out[at % out.length] = value;
        return out;
      },
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...specialBytes)).map(
    ([at, value]): Mutation =>
      (b) => {
        const i = b.length === 0 ? 0 : at % b.length;
        return new Uint8Array([...b.subarray(0, i), value, ...b.subarray(i)]);
      },
  ),
  fc.tuple(fc.nat(), fc.nat(40)).map(
    ([at, length]): Mutation =>
      (b) => {
        const i = b.length === 0 ? 0 : at % b.length;
        return new Uint8Array([...b.subarray(0, i), ...b.subarray(i + length)]);
      },
  ),
  fc.nat().map(
    (at): Mutation =>
      (b) =>
        b.subarray(0, b.length === 0 ? 0 : at % b.length),
  ),
  fc.tuple(fc.nat(), fc.nat(60)).map(
    ([at, length]): Mutation =>
      (b) => {
        const i = b.length === 0 ? 0 : at % b.length;
        return new Uint8Array([...b.subarray(0, i + length), ...b.subarray(i)]);
      },
  ),
);

const validBytes = fc.oneof(
  fc.constantFrom(...corpus),
  arbitraryMessage.map((g) => serializeMessage(g.message)),
);

describe("parser properties", () => {
  test("when a generated message is serialized and parsed, then every typed value is what was built", () => {
    fc.assert(
      fc.property(arbitraryMessage, (g) => {
        const parsed = parseMessage(serializeMessage(g.message), { validate: g.message.kind === "request" });
        const h = parsed.headers;
        assert.deepEqual(h.via(), g.vias);
        assert.deepEqual(h.from(), g.from);
        assert.deepEqual(h.to(), g.to);
        assert.equal(h.callId(), g.callId);
        assert.deepEqual(h.cseq(), g.cseq);
        assert.deepEqual(h.contact(), g.contacts);
        assert.deepEqual(h.route(), g.routes);
        for (const [name, value] of g.extensions) assert.ok(h.getRaw(name).includes(value));
        assert.deepEqual(Buffer.from(parsed.body), Buffer.from(g.message.body));
        if (parsed.kind === "request" && g.message.kind === "request") {
          assert.deepEqual(parsed.uri, g.message.uri);
          assert.equal(parsed.method, g.message.method);
        }
        if (parsed.kind === "response" && g.message.kind === "response") {
          assert.equal(parsed.status, g.message.status);
          assert.equal(parsed.reason, g.message.reason);
        }
      }),
      { numRuns },
    );
  });

  test("when a parsed message is serialized, then it parses to the same message", () => {
    fc.assert(
      fc.property(validBytes, (bytes) => {
        let first: SipMessage;
        try {
          first = parseMessage(bytes);
        } catch {
          return; // the invalid half of the torture corpus
        }
        assert.deepEqual(messageSnapshot(parseMessage(serializeMessage(first))), messageSnapshot(first));
      }),
      { numRuns },
    );
  });

  test("when valid messages are mutated or truncated, then only SipParseError is ever thrown", () => {
    fc.assert(
      fc.property(validBytes, fc.array(mutation, { minLength: 1, maxLength: 4 }), (bytes, mutations) => {
        const mutated = mutations.reduce((b: Uint8Array, m) => m(b), bytes);
        parseAndUse(mutated);
      }),
      { numRuns: numRuns * 4 },
    );
  });

  test("when mutated bytes arrive on a stream in random chunks, then the framer reports events and never throws", () => {
    fc.assert(
      fc.property(
        fc.array(validBytes, { minLength: 1, maxLength: 3 }),
        fc.array(mutation, { maxLength: 2 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }),
        (messages, mutations, sizes) => {
          const joined: Uint8Array = Buffer.concat(messages.map((m) => Buffer.from(m)));
          const stream = mutations.reduce((b, m) => m(b), joined);
          const framer = new StreamFramer({ maxMessageSize: 4096 });
          let offset = 0;
          for (let k = 0; offset < stream.length; k++) {
            const size = sizes[k % sizes.length]!;
            for (const event of framer.push(stream.subarray(offset, offset + size))) {
              if (event.type === "message") parseAndUse(event.bytes);
              if (event.type === "error") assert.ok(event.error instanceof SipParseError);
            }
            assert.ok(framer.pendingBytes <= 4096 + 4);
            offset += size;
          }
        },
      ),
      { numRuns },
    );
  });
});

describe("parser running time", () => {
  /** Nanoseconds for one parse with full use of the message. */
  function once(bytes: Uint8Array): number {
    const start = process.hrtime.bigint();
    try {
      useFully(parseMessage(bytes, { validate: true, maxMessageSize: 1 << 24, maxHeaders: 1 << 20 }));
    } catch (error) {
      if (!(error instanceof SipParseError)) throw error;
    }
    return Number(process.hrtime.bigint() - start);
  }

  /**
   * Best-of-rounds times of two inputs, measured in alternation so that both see the same
   * machine load (other processes may share the cores).
   */
  function bestOfAlternating(a: Uint8Array, b: Uint8Array, rounds = 11): [number, number] {
    let bestA = Number.POSITIVE_INFINITY;
    let bestB = Number.POSITIVE_INFINITY;
    for (let round = 0; round < rounds; round++) {
      bestA = Math.min(bestA, once(a));
      bestB = Math.min(bestB, once(b));
    }
    return [bestA, bestB];
  }

  const head = (extra: string) =>
    new TextEncoder().encode(
      "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n" +
        `To: <sip:b@c>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n${extra}\r\nContent-Length: 0\r\n\r\n`,
    );

  /** Hostile header values, each a repeated unit between a prefix and a suffix. */
  const hostile: Record<string, [prefix: string, unit: string, suffix: string]> = {
    "many parameters": ["Contact: <sip:a@b>", ";p=v", ""],
    "many list elements": ["Route: ", "<sip:a@b>,", "<sip:a@b>"],
    "unbalanced quotes and brackets": ["Contact: ", '"\\"<,', ""],
    "many escapes": ["To: <sip:", "%41", "@b>"],
    "long folding": ["Subject: a", "\r\n b", ""],
    "many header lines": ["X-A: 1", "\r\nX-A: 1", ""],
    "many vias": ["Via: ", "SIP/2.0/UDP h;branch=z9hG4bK1,", "SIP/2.0/UDP h"],
    "long auth header": ["Authorization: Digest ", 'a="\\\\",', "b=c"],
  };

  /** A message whose hostile header takes about `size` bytes. */
  const build = ([prefix, unit, suffix]: [string, string, string], size: number) =>
    head(prefix + unit.repeat(Math.floor(size / unit.length)) + suffix);

  for (const [name, parts] of Object.entries(hostile)) {
    test(`when a hostile input with ${name} grows 16x up to 64 KiB, then parsing takes under 80x the time`, () => {
      bestOfAlternating(build(parts, 1_000), build(parts, 1_000), 5);
      const [small, large] = bestOfAlternating(build(parts, 3_800), build(parts, 60_800));
      // Linear growth is 16x; a quadratic parser would take about 256x.
      assert.ok(large < small * 80, `16x input took ${(large / small).toFixed(1)}x the time`);
    });
  }
});
