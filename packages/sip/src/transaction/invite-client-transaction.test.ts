import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../clock.ts";
import type { InviteClientTransaction } from "./invite-client-transaction.ts";
import { RecordingTransport } from "./testing/recording-transport.ts";
import { RecordingUser } from "./testing/recording-user.ts";
import { sampleRequest, sampleResponse } from "./testing/sample-messages.ts";
import type { TimerValues } from "./timer-values.ts";
import { TransactionLayer } from "./transaction-layer.ts";

interface Step {
  at: number;
  status: number;
  toTag?: string;
}

interface Scenario {
  name: string;
  reliable: boolean;
  timers?: Partial<TimerValues>;
  steps: Step[];
  until: number;
  inviteSentAt: number[];
  ackSentAt: number[];
  /** Statuses passed to the TU, in order (made-up 408/503 included). */
  toTu: number[];
  failures: string[];
  /** State after each step, then at the end. */
  states: string[];
  terminatedAt: number | undefined;
  strays: number;
}

const scenarios: Scenario[] = [
  {
    name: "when an INVITE over UDP gets no response, then it is sent at 0, 500, 1500, 3500, 7500, 15500 and 31500 ms and Timer B reports a 408 at 32 s",
    reliable: false,
    steps: [],
    until: 40_000,
    inviteSentAt: [0, 500, 1500, 3500, 7500, 15_500, 31_500],
    ackSentAt: [],
    toTu: [408],
    failures: ["timeout"],
    states: ["terminated"],
    terminatedAt: 32_000,
    strays: 0,
  },
  {
    name: "when an INVITE over TCP gets no response, then it is sent once and Timer B reports a 408 at 32 s",
    reliable: true,
    steps: [],
    until: 40_000,
    inviteSentAt: [0],
    ackSentAt: [],
    toTu: [408],
    failures: ["timeout"],
    states: ["terminated"],
    terminatedAt: 32_000,
    strays: 0,
  },
  {
    name: "when T1 is 100 ms, then retransmissions and Timer B scale with it",
    reliable: false,
    timers: { t1: 100 },
    steps: [],
    until: 10_000,
    inviteSentAt: [0, 100, 300, 700, 1500, 3100, 6300],
    ackSentAt: [],
    toTu: [408],
    failures: ["timeout"],
    states: ["terminated"],
    terminatedAt: 6400,
    strays: 0,
  },
  {
    name: "when a 180 arrives in Calling, then retransmissions stop, the TU gets it and Timer B no longer applies",
    reliable: false,
    steps: [{ at: 600, status: 180 }],
    until: 100_000,
    inviteSentAt: [0, 500],
    ackSentAt: [],
    toTu: [180],
    failures: [],
    states: ["proceeding", "proceeding"],
    terminatedAt: undefined,
    strays: 0,
  },
  {
    name: "when further provisional responses arrive in Proceeding, then each goes to the TU",
    reliable: false,
    steps: [
      { at: 100, status: 100 },
      { at: 200, status: 180 },
      { at: 300, status: 183 },
    ],
    until: 1000,
    inviteSentAt: [0],
    ackSentAt: [],
    toTu: [100, 180, 183],
    failures: [],
    states: ["proceeding", "proceeding", "proceeding", "proceeding"],
    terminatedAt: undefined,
    strays: 0,
  },
  {
    name: "when a 486 arrives in Calling over UDP, then the transaction ACKs it, re-ACKs each retransmission without telling the TU, and Timer D ends it 32 s later",
    reliable: false,
    steps: [
      { at: 0, status: 486 },
      { at: 1000, status: 486 },
      { at: 2000, status: 486 },
    ],
    until: 40_000,
    inviteSentAt: [0],
    ackSentAt: [0, 1000, 2000],
    toTu: [486],
    failures: [],
    states: ["completed", "completed", "completed", "terminated"],
    terminatedAt: 32_000,
    strays: 0,
  },
  {
    name: "when a 603 arrives in Proceeding over UDP, then it is ACKed, passed up, and Timer D ends the transaction 32 s later",
    reliable: false,
    steps: [
      { at: 100, status: 180 },
      { at: 3000, status: 603 },
    ],
    until: 40_000,
    inviteSentAt: [0],
    ackSentAt: [3000],
    toTu: [180, 603],
    failures: [],
    states: ["proceeding", "completed", "terminated"],
    terminatedAt: 35_000,
    strays: 0,
  },
  {
    name: "when a 486 arrives over TCP, then the ACK is still sent and Timer D is zero",
    reliable: true,
    steps: [{ at: 10, status: 486 }],
    until: 40_000,
    inviteSentAt: [0],
    ackSentAt: [10],
    toTu: [486],
    failures: [],
    states: ["terminated", "terminated"],
    terminatedAt: 10,
    strays: 0,
  },
  {
    name: "when a 200 arrives in Calling, then the transaction enters Accepted without ACKing, passes up every 2xx (retransmission or fork) and Timer M ends it 32 s later",
    reliable: false,
    steps: [
      { at: 1000, status: 200 },
      { at: 1500, status: 200 },
      { at: 2000, status: 200, toTag: "fork-b" },
      { at: 2500, status: 486 },
      { at: 40_000, status: 200 },
    ],
    until: 50_000,
    inviteSentAt: [0, 500],
    ackSentAt: [],
    toTu: [200, 200, 200],
    failures: [],
    states: ["accepted", "accepted", "accepted", "accepted", "terminated", "terminated"],
    terminatedAt: 33_000,
    strays: 1,
  },
  {
    name: "when a 200 arrives in Proceeding over TCP, then Timer M still keeps the transaction 32 s in Accepted",
    reliable: true,
    steps: [
      { at: 100, status: 180 },
      { at: 3000, status: 200 },
    ],
    until: 40_000,
    inviteSentAt: [0],
    ackSentAt: [],
    toTu: [180, 200],
    failures: [],
    states: ["proceeding", "accepted", "terminated"],
    terminatedAt: 35_000,
    strays: 0,
  },
  {
    name: "when a 200 arrives in Completed, then it is neither ACKed nor passed up",
    reliable: false,
    steps: [
      { at: 100, status: 486 },
      { at: 200, status: 200 },
    ],
    until: 300,
    inviteSentAt: [0],
    ackSentAt: [100],
    toTu: [486],
    failures: [],
    states: ["completed", "completed", "completed"],
    terminatedAt: undefined,
    strays: 0,
  },
];

function setUp(reliable: boolean, timers?: Partial<TimerValues>) {
  const clock = new FakeClock();
  const user = new RecordingUser();
  const layer = new TransactionLayer({ clock, user, ...(timers ? { timers } : {}) });
  const transport = new RecordingTransport(clock, reliable);
  const invite = sampleRequest();
  return { clock, user, layer, transport, invite };
}

describe("INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)", () => {
  for (const scenario of scenarios) {
    test(scenario.name, () => {
      const { clock, user, layer, transport, invite } = setUp(scenario.reliable, scenario.timers);
      let terminatedAt: number | undefined;
      const tx = layer.sendRequest(invite, transport, {
        receiveResponse: (response) => user.receiveResponse(response),
        onFailure: (failure, transaction) => user.onFailure(failure, transaction),
        onTerminated: () => {
          terminatedAt = clock.now();
        },
      }) as InviteClientTransaction;
      assert.equal(tx.state, "calling");
      const states: string[] = [];
      for (const step of scenario.steps) {
        clock.advance(step.at - clock.now());
        layer.receiveResponse(sampleResponse(invite, step.status, step.toTag ? { toTag: step.toTag } : {}));
        states.push(tx.state);
      }
      clock.advance(scenario.until - clock.now());
      states.push(tx.state);

      assert.deepEqual(transport.requestTimes("INVITE"), scenario.inviteSentAt, "INVITE transmissions");
      assert.deepEqual(transport.requestTimes("ACK"), scenario.ackSentAt, "ACK transmissions");
      assert.deepEqual(user.statuses(), scenario.toTu, "responses passed to the TU");
      assert.deepEqual(
        user.clientFailures.map((f) => f.reason),
        scenario.failures,
        "failures reported",
      );
      assert.deepEqual(states, scenario.states, "states");
      assert.equal(terminatedAt, scenario.terminatedAt, "termination time");
      assert.equal(user.strays.length, scenario.strays, "stray responses");
      if (scenario.terminatedAt !== undefined) assert.equal(layer.clientTransactionCount, 0);
      layer.close();
    });
  }

  test("when a 2xx arrives, then the transaction lets go of the INVITE and still absorbs the 2xx's retransmissions until Timer M", () => {
    const { clock, user, layer, transport, invite } = setUp(false);
    const tx = layer.sendRequest(invite, transport, {
      receiveResponse: (response) => user.receiveResponse(response),
    }) as InviteClientTransaction;
    clock.advance(100);
    assert.equal(tx.request, invite);
    layer.receiveResponse(sampleResponse(invite, 200, { toTag: "b" }));
    assert.throws(() => tx.request, TypeError, "not held for Timer M's 32 s");
    assert.equal(tx.method, "INVITE");
    assert.equal(
      layer.receiveResponse(sampleResponse(invite, 200, { toTag: "b" })),
      true,
      "a retransmitted 2xx still matches",
    );
    assert.deepEqual(transport.requestTimes("INVITE"), [0], "and the INVITE is never sent again");
    clock.advance(32_000);
    assert.equal(tx.state, "terminated");
    layer.close();
  });

  test("when Timer B fires, then the 408 the TU gets carries the INVITE's Call-ID, CSeq and From tag", () => {
    const { clock, user, layer, transport, invite } = setUp(false);
    layer.sendRequest(invite, transport, user);
    clock.advance(32_000);
    const [timeout] = user.responses;
    assert.ok(timeout);
    assert.equal(timeout.status, 408);
    assert.equal(timeout.headers.callId(), invite.headers.callId());
    assert.deepEqual(timeout.headers.cseq(), { seq: 314159, method: "INVITE" });
    assert.equal(timeout.headers.from().params.get("tag"), "9fxced76sl");
  });

  for (const mode of ["throws", "rejects"] as const) {
    test(`when the transport ${mode} on the INVITE, then the TU is told of a transport error and gets a 503, and the transaction ends`, async () => {
      const { user, layer, transport, invite } = setUp(false);
      const error = new Error("network unreachable");
      if (mode === "throws") transport.throwOnSend = error;
      else transport.rejectOnSend = error;
      const tx = layer.sendRequest(invite, transport, user);
      await Promise.resolve();
      assert.deepEqual(user.clientFailures, [{ reason: "transport-error", error }]);
      assert.deepEqual(user.statuses(), [503]);
      assert.equal(tx.state, "terminated");
      assert.equal(layer.clientTransactionCount, 0);
    });
  }

  test("when the ACK for a 486 cannot be sent, then the TU is told but gets no second final response", () => {
    const { user, layer, transport, invite } = setUp(false);
    const tx = layer.sendRequest(invite, transport, user);
    transport.throwOnSend = new Error("gone");
    layer.receiveResponse(sampleResponse(invite, 486));
    assert.deepEqual(user.statuses(), [486]);
    assert.deepEqual(
      user.clientFailures.map((f) => f.reason),
      ["transport-error"],
    );
    assert.equal(tx.state, "terminated");
  });
});

describe("ACK for a non-2xx final response (RFC 3261 §17.1.1.3)", () => {
  test("when a proxied INVITE with Route headers gets a 404, then the ACK copies Request-URI, Call-ID, From, CSeq number, the top Via only and the Routes, and takes To from the response", () => {
    const clock = new FakeClock();
    const user = new RecordingUser();
    const layer = new TransactionLayer({ clock, user });
    const transport = new RecordingTransport(clock, false);
    const invite = sampleRequest({
      uri: "sip:bob@biloxi.example.com;transport=udp",
      branch: "z9hG4bK776asdhds",
      sentBy: "proxy.atlanta.example.com:5062",
      lowerVias: ["SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;received=192.0.2.1"],
      routes: ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"],
      extra: ["Subject: lunch", "Require: 100rel"],
      body: "v=0\r\n",
    });
    layer.sendRequest(invite, transport, user);
    layer.receiveResponse(sampleResponse(invite, 404, { toTag: "99sa0xk" }));
    const [ack] = transport.requests("ACK");
    assert.ok(ack);
    assert.equal(ack.method, "ACK");
    assert.equal(ack.uriText, "sip:bob@biloxi.example.com;transport=udp");
    assert.equal(ack.headers.callId(), invite.headers.callId());
    assert.equal(ack.headers.first("from"), invite.headers.first("from"));
    assert.deepEqual(ack.headers.cseq(), { seq: 314159, method: "ACK" });
    assert.equal(ack.headers.via().length, 1);
    assert.equal(ack.headers.via()[0]?.params.get("branch"), "z9hG4bK776asdhds");
    assert.equal(ack.headers.via()[0]?.host, "proxy.atlanta.example.com");
    assert.equal(ack.headers.via()[0]?.port, 5062);
    assert.equal(ack.headers.to().params.get("tag"), "99sa0xk");
    assert.deepEqual(ack.headers.getRaw("route"), ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]);
    assert.equal(ack.headers.first("max-forwards"), "70");
    for (const absent of ["subject", "require", "contact", "content-type"]) {
      assert.equal(ack.headers.has(absent), false, `${absent} must not be copied`);
    }
    assert.equal(ack.body.length, 0);
  });
});
