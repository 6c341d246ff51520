import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../clock.ts";
import { RecordingTransport } from "./testing/recording-transport.ts";
import { RecordingUser } from "./testing/recording-user.ts";
import { sampleRequest, sampleResponse } from "./testing/sample-messages.ts";
import type { TimerValues } from "./timer-values.ts";
import { TransactionLayer } from "./transaction-layer.ts";

interface Scenario {
  name: string;
  reliable: boolean;
  timers?: Partial<TimerValues>;
  steps: { at: number; status: number }[];
  until: number;
  sentAt: number[];
  toTu: number[];
  failures: string[];
  states: string[];
  terminatedAt: number | undefined;
}

const scenarios: Scenario[] = [
  {
    name: "when an OPTIONS over UDP gets no response, then retransmission intervals double from 500 ms up to T2 and Timer F reports a 408 at 32 s",
    reliable: false,
    steps: [],
    until: 40_000,
    sentAt: [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500],
    toTu: [408],
    failures: ["timeout"],
    states: ["terminated"],
    terminatedAt: 32_000,
  },
  {
    name: "when T2 is 2 s, then the intervals cap at 2 s",
    reliable: false,
    timers: { t2: 2000 },
    steps: [],
    until: 8000,
    sentAt: [0, 500, 1500, 3500, 5500, 7500],
    toTu: [],
    failures: [],
    states: ["trying"],
    terminatedAt: undefined,
  },
  {
    name: "when Timer F falls due at the same instant as Timer E, then the timeout wins and no last copy is sent",
    reliable: false,
    timers: { t1: 1000, t2: 1000 },
    steps: [],
    until: 70_000,
    sentAt: Array.from({ length: 64 }, (_, i) => i * 1000),
    toTu: [408],
    failures: ["timeout"],
    states: ["terminated"],
    terminatedAt: 64_000,
  },
  {
    name: "when an OPTIONS over TCP gets no response, then it is sent once and Timer F reports a 408 at 32 s",
    reliable: true,
    steps: [],
    until: 40_000,
    sentAt: [0],
    toTu: [408],
    failures: ["timeout"],
    states: ["terminated"],
    terminatedAt: 32_000,
  },
  {
    name: "when a 100 arrives in Trying over UDP, then retransmissions go on, every T2 once the pending Timer E fires, until Timer F",
    reliable: false,
    steps: [{ at: 600, status: 100 }],
    until: 40_000,
    sentAt: [0, 500, 1500, 5500, 9500, 13_500, 17_500, 21_500, 25_500, 29_500],
    toTu: [100, 408],
    failures: ["timeout"],
    states: ["proceeding", "terminated"],
    terminatedAt: 32_000,
  },
  {
    name: "when a 200 arrives in Trying over UDP, then the TU gets it, retransmissions stop, repeats are absorbed and Timer K ends the transaction after T4",
    reliable: false,
    steps: [
      { at: 700, status: 200 },
      { at: 1700, status: 200 },
    ],
    until: 40_000,
    sentAt: [0, 500],
    toTu: [200],
    failures: [],
    states: ["completed", "completed", "terminated"],
    terminatedAt: 5700,
  },
  {
    name: "when a 180 then a 404 arrive over UDP, then both go to the TU, the pending Timer E retransmits once more and is then reset to T2, and Timer K ends the transaction after T4",
    reliable: false,
    steps: [
      { at: 100, status: 180 },
      { at: 200, status: 183 },
      { at: 2000, status: 404 },
    ],
    until: 40_000,
    sentAt: [0, 500],
    toTu: [180, 183, 404],
    failures: [],
    states: ["proceeding", "proceeding", "completed", "terminated"],
    terminatedAt: 7000,
  },
  {
    name: "when a final response arrives over TCP, then Timer K is zero",
    reliable: true,
    steps: [
      { at: 100, status: 100 },
      { at: 300, status: 202 },
    ],
    until: 1000,
    sentAt: [0],
    toTu: [100, 202],
    failures: [],
    states: ["proceeding", "terminated", "terminated"],
    terminatedAt: 300,
  },
];

describe("non-INVITE client transaction (RFC 3261 §17.1.2)", () => {
  for (const scenario of scenarios) {
    test(scenario.name, () => {
      const clock = new FakeClock();
      const user = new RecordingUser();
      const layer = new TransactionLayer({
        clock,
        user,
        ...(scenario.timers ? { timers: scenario.timers } : {}),
      });
      const transport = new RecordingTransport(clock, scenario.reliable);
      const options = sampleRequest({ method: "OPTIONS" });
      let terminatedAt: number | undefined;
      const tx = layer.sendRequest(options, transport, {
        receiveResponse: (response) => user.receiveResponse(response),
        onFailure: (failure, transaction) => user.onFailure(failure, transaction),
        onTerminated: () => {
          terminatedAt = clock.now();
        },
      });
      assert.equal(tx.kind, "non-invite-client");
      assert.equal(tx.state, "trying");
      const states: string[] = [];
      for (const step of scenario.steps) {
        clock.advance(step.at - clock.now());
        layer.receiveResponse(sampleResponse(options, step.status));
        states.push(tx.state);
      }
      clock.advance(scenario.until - clock.now());
      states.push(tx.state);
      assert.deepEqual(transport.requestTimes("OPTIONS"), scenario.sentAt, "transmissions");
      assert.deepEqual(user.statuses(), scenario.toTu, "responses passed to the TU");
      assert.deepEqual(
        user.clientFailures.map((f) => f.reason),
        scenario.failures,
      );
      assert.deepEqual(states, scenario.states, "states");
      assert.equal(terminatedAt, scenario.terminatedAt, "termination time");
      layer.close();
      assert.equal(clock.pendingTimers, 0);
    });
  }

  test("when the transport throws on the first send, then the TU is told, gets a 503 and no timer is left", () => {
    const clock = new FakeClock();
    const user = new RecordingUser();
    const layer = new TransactionLayer({ clock, user });
    const transport = new RecordingTransport(clock, false);
    transport.throwOnSend = new Error("no route to host");
    const tx = layer.sendRequest(sampleRequest({ method: "OPTIONS" }), transport, user);
    assert.deepEqual(
      user.clientFailures.map((f) => f.reason),
      ["transport-error"],
    );
    assert.deepEqual(user.statuses(), [503]);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pendingTimers, 0);
    assert.equal(layer.clientTransactionCount, 0);
  });

  test("when the transport fails in Proceeding, then the TU gets a 503 and the transaction ends", async () => {
    const clock = new FakeClock();
    const user = new RecordingUser();
    const layer = new TransactionLayer({ clock, user });
    const transport = new RecordingTransport(clock, false);
    const register = sampleRequest({ method: "REGISTER" });
    const tx = layer.sendRequest(register, transport, user);
    layer.receiveResponse(sampleResponse(register, 100));
    transport.rejectOnSend = new Error("ICMP port unreachable");
    clock.advance(500);
    await Promise.resolve();
    assert.deepEqual(user.statuses(), [100, 503]);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pendingTimers, 0);
  });
});
