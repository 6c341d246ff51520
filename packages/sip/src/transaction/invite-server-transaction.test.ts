import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../clock.ts";
import { createResponse } from "../message/create-response.ts";
import type { InviteServerTransaction } from "./invite-server-transaction.ts";
import { RecordingTransport } from "./testing/recording-transport.ts";
import { RecordingUser } from "./testing/recording-user.ts";
import { sampleRequest } from "./testing/sample-messages.ts";
import { TransactionLayer } from "./transaction-layer.ts";

type Step =
  | { at: number; incoming: "INVITE" | "ACK" }
  | { at: number; respond: number; expectAccepted?: boolean };

interface Scenario {
  name: string;
  reliable: boolean;
  steps: Step[];
  until: number;
  /** `status@time` for every response handed to the transport. */
  sent: string[];
  states: string[];
  terminatedAt: number | undefined;
  failures: string[];
  acksToTu: number;
}

const scenarios: Scenario[] = [
  {
    name: "when the TU stays silent for 200 ms, then the transaction sends a 100 Trying itself",
    reliable: false,
    steps: [],
    until: 60_000,
    sent: ["100@200"],
    states: ["proceeding"],
    terminatedAt: undefined,
    failures: [],
    acksToTu: 0,
  },
  {
    name: "when the TU answers 180 at once, then no 100 Trying is sent",
    reliable: false,
    steps: [{ at: 0, respond: 180 }],
    until: 1000,
    sent: ["180@0"],
    states: ["proceeding", "proceeding"],
    terminatedAt: undefined,
    failures: [],
    acksToTu: 0,
  },
  {
    name: "when the INVITE is retransmitted in Proceeding, then the latest provisional response is resent (nothing before the first one)",
    reliable: false,
    steps: [
      { at: 100, incoming: "INVITE" },
      { at: 150, respond: 180 },
      { at: 160, respond: 183 },
      { at: 500, incoming: "INVITE" },
    ],
    until: 1000,
    sent: ["180@150", "183@160", "183@500"],
    states: ["proceeding", "proceeding", "proceeding", "proceeding", "proceeding"],
    terminatedAt: undefined,
    failures: [],
    acksToTu: 0,
  },
  {
    name: "when the TU sends 486 over UDP and no ACK comes, then Timer G retransmits at intervals doubling up to T2 and Timer H fails the transaction at 32 s",
    reliable: false,
    steps: [{ at: 0, respond: 486 }],
    until: 40_000,
    sent: [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500].map((t) => `486@${t}`),
    states: ["completed", "terminated"],
    terminatedAt: 32_000,
    failures: ["timeout"],
    acksToTu: 0,
  },
  {
    name: "when the INVITE is retransmitted in Completed, then the final response is resent at once",
    reliable: false,
    steps: [
      { at: 0, respond: 486 },
      { at: 700, incoming: "INVITE" },
      { at: 800, incoming: "ACK" },
    ],
    until: 900,
    sent: ["486@0", "486@500", "486@700"],
    states: ["completed", "completed", "confirmed", "confirmed"],
    terminatedAt: undefined,
    failures: [],
    acksToTu: 0,
  },
  {
    name: "when the ACK arrives in Completed over UDP, then retransmissions stop, repeated ACKs are absorbed and Timer I ends the transaction after T4",
    reliable: false,
    steps: [
      { at: 0, respond: 486 },
      { at: 1000, incoming: "ACK" },
      { at: 2000, incoming: "ACK" },
      { at: 2500, incoming: "INVITE" },
      { at: 3000, respond: 500, expectAccepted: false },
    ],
    until: 40_000,
    sent: ["486@0", "486@500"],
    states: ["completed", "confirmed", "confirmed", "confirmed", "confirmed", "terminated"],
    terminatedAt: 6000,
    failures: [],
    acksToTu: 0,
  },
  {
    name: "when the TU sends 486 over TCP, then it is not retransmitted and the ACK ends the transaction at once (Timer I is zero)",
    reliable: true,
    steps: [
      { at: 0, respond: 486 },
      { at: 1000, incoming: "ACK" },
    ],
    until: 40_000,
    sent: ["486@0"],
    states: ["completed", "terminated", "terminated"],
    terminatedAt: 1000,
    failures: [],
    acksToTu: 0,
  },
  {
    name: "when the TU sends 486 over TCP and no ACK comes, then Timer H still fails the transaction at 32 s",
    reliable: true,
    steps: [{ at: 0, respond: 486 }],
    until: 40_000,
    sent: ["486@0"],
    states: ["completed", "terminated"],
    terminatedAt: 32_000,
    failures: ["timeout"],
    acksToTu: 0,
  },
  {
    name: "when the TU sends 200, then the transaction is Accepted: INVITE retransmissions are absorbed, the TU's 2xx retransmissions go out, the ACK goes to the TU, other responses are refused, and Timer L ends it at 32 s",
    reliable: false,
    steps: [
      { at: 50, respond: 180 },
      { at: 100, respond: 200 },
      { at: 300, incoming: "INVITE" },
      { at: 600, respond: 200 },
      { at: 700, respond: 486, expectAccepted: false },
      { at: 800, incoming: "ACK" },
    ],
    until: 40_000,
    sent: ["180@50", "200@100", "200@600"],
    states: ["proceeding", "accepted", "accepted", "accepted", "accepted", "accepted", "terminated"],
    terminatedAt: 32_100,
    failures: [],
    acksToTu: 1,
  },
  {
    name: "when the TU sends 200 over TCP, then Timer L still keeps the transaction 32 s in Accepted",
    reliable: true,
    steps: [{ at: 0, respond: 200 }],
    until: 40_000,
    sent: ["200@0"],
    states: ["accepted", "terminated"],
    terminatedAt: 32_000,
    failures: [],
    acksToTu: 0,
  },
];

describe("INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)", () => {
  for (const scenario of scenarios) {
    test(scenario.name, () => {
      const clock = new FakeClock();
      const user = new RecordingUser();
      const layer = new TransactionLayer({ clock, user });
      const transport = new RecordingTransport(clock, scenario.reliable);
      const invite = sampleRequest();
      const ack = sampleRequest({ method: "ACK", toTag: "ours" });
      let terminatedAt: number | undefined;
      const tx = layer.receiveRequest(invite, transport) as InviteServerTransaction;
      tx.user = {
        onFailure: (failure, transaction) => user.onFailure(failure, transaction),
        onTerminated: () => {
          terminatedAt = clock.now();
        },
      };
      const states: string[] = [];
      for (const step of scenario.steps) {
        clock.advance(step.at - clock.now());
        if ("incoming" in step) {
          layer.receiveRequest(step.incoming === "INVITE" ? invite : ack, transport);
        } else {
          const accepted = tx.respond(createResponse(invite, step.respond, undefined, { toTag: "ours" }));
          assert.equal(accepted, step.expectAccepted ?? true, `respond(${step.respond}) at ${step.at}`);
        }
        states.push(tx.state);
      }
      clock.advance(scenario.until - clock.now());
      states.push(tx.state);
      assert.deepEqual(
        transport.sent.map(
          ({ at, message }) => `${message.kind === "response" ? message.status : "?"}@${at}`,
        ),
        scenario.sent,
        "responses sent",
      );
      assert.deepEqual(states, scenario.states, "states");
      assert.equal(terminatedAt, scenario.terminatedAt, "termination time");
      assert.deepEqual(
        user.serverFailures.map((f) => f.reason),
        scenario.failures,
      );
      assert.equal(user.acks.length, scenario.acksToTu, "ACKs passed to the TU");
      assert.equal(user.requests.length, 1, "the TU saw the INVITE exactly once");
      layer.close();
    });
  }

  test("when the transaction sends its own 100 Trying, then it copies Via, From, To (without a tag), Call-ID, CSeq and Timestamp", () => {
    const clock = new FakeClock();
    const user = new RecordingUser();
    const layer = new TransactionLayer({ clock, user });
    const transport = new RecordingTransport(clock, false);
    const invite = sampleRequest({
      extra: ["Timestamp: 54"],
      lowerVias: ["SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKabc"],
    });
    layer.receiveRequest(invite, transport);
    clock.advance(200);
    const [trying] = transport.responses();
    assert.ok(trying);
    assert.equal(trying.status, 100);
    assert.equal(trying.headers.to().params.has("tag"), false);
    assert.deepEqual(trying.headers.getRaw("via"), invite.headers.getRaw("via"));
    assert.equal(trying.headers.first("timestamp"), "54");
    assert.equal(trying.headers.callId(), invite.headers.callId());
    assert.deepEqual(trying.headers.cseq(), invite.headers.cseq());
    layer.close();
  });

  test("when the 2xx is acknowledged, then the transaction lets go of the INVITE and still absorbs its retransmissions until Timer L", () => {
    const clock = new FakeClock();
    const user = new RecordingUser();
    const layer = new TransactionLayer({ clock, user });
    const transport = new RecordingTransport(clock, false);
    const invite = sampleRequest();
    const tx = layer.receiveRequest(invite, transport) as InviteServerTransaction;
    tx.respond(createResponse(invite, 200, undefined, { toTag: "ours" }));
    assert.equal(tx.request, invite, "kept while the 2xx may go unacknowledged (onUnacknowledged)");
    layer.receiveRequest(sampleRequest({ method: "ACK", toTag: "ours" }), transport);
    assert.equal(user.acks.length, 1);
    assert.throws(() => tx.request, TypeError, "not held for the rest of Timer L's 32 s");
    const sent = transport.sent.length;
    assert.equal(layer.receiveRequest(invite, transport), tx, "a retransmitted INVITE still matches");
    assert.equal(transport.sent.length, sent, "and is absorbed");
    assert.equal(tx.state, "accepted");
    clock.advance(32_000);
    assert.equal(tx.state, "terminated");
    layer.close();
  });

  test("when tryingDelay is 0, then the 100 Trying goes out before the TU sees the INVITE", () => {
    const clock = new FakeClock();
    const user = new RecordingUser();
    const layer = new TransactionLayer({ clock, user, timers: { tryingDelay: 0 } });
    const transport = new RecordingTransport(clock, true);
    let sentBeforeTu = -1;
    user.onRequestRespond = () => {
      sentBeforeTu = transport.sent.length;
    };
    layer.receiveRequest(sampleRequest(), transport);
    assert.equal(sentBeforeTu, 1);
    layer.close();
  });

  test("when the transport fails to send a final response, then the TU is told and the state does not change", async () => {
    const clock = new FakeClock();
    const user = new RecordingUser();
    const layer = new TransactionLayer({ clock, user });
    const transport = new RecordingTransport(clock, false);
    const invite = sampleRequest();
    const tx = layer.receiveRequest(invite, transport)!;
    transport.rejectOnSend = new Error("host unreachable");
    tx.respond(createResponse(invite, 603));
    await Promise.resolve();
    assert.deepEqual(
      user.serverFailures.map((f) => f.reason),
      ["transport-error"],
    );
    assert.equal(tx.state, "completed");
    layer.close();
  });

  test("when the TU passes a status outside 100-699, then respond throws", () => {
    const clock = new FakeClock();
    const layer = new TransactionLayer({ clock, user: new RecordingUser() });
    const invite = sampleRequest();
    const tx = layer.receiveRequest(invite, new RecordingTransport(clock, false))!;
    assert.throws(() => tx.respond({ ...createResponse(invite, 200), status: 700 }), RangeError);
    layer.close();
  });
});
