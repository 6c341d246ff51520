import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../clock.ts";
import { createResponse } from "../message/create-response.ts";
import { RecordingTransport } from "./testing/recording-transport.ts";
import { RecordingUser } from "./testing/recording-user.ts";
import { sampleRequest } from "./testing/sample-messages.ts";
import { TransactionLayer } from "./transaction-layer.ts";

type Step = { at: number; retransmission: true } | { at: number; respond: number; expectAccepted?: boolean };

interface Scenario {
  name: string;
  reliable: boolean;
  steps: Step[];
  until: number;
  sent: string[];
  states: string[];
  terminatedAt: number | undefined;
}

const scenarios: Scenario[] = [
  {
    name: "when the request is retransmitted in Trying, then the retransmission is discarded",
    reliable: false,
    steps: [
      { at: 500, retransmission: true },
      { at: 1500, retransmission: true },
    ],
    until: 60_000,
    sent: [],
    states: ["trying", "trying", "trying"],
    terminatedAt: undefined,
  },
  {
    name: "when the TU sends a provisional response, then the transaction proceeds and resends it for each retransmission",
    reliable: false,
    steps: [
      { at: 100, respond: 100 },
      { at: 500, retransmission: true },
      { at: 600, respond: 183 },
      { at: 1500, retransmission: true },
    ],
    until: 2000,
    sent: ["100@100", "100@500", "183@600", "183@1500"],
    states: ["proceeding", "proceeding", "proceeding", "proceeding", "proceeding"],
    terminatedAt: undefined,
  },
  {
    name: "when the TU sends a final response in Trying over UDP, then retransmissions get it again, later finals are discarded and Timer J ends the transaction at 64*T1",
    reliable: false,
    steps: [
      { at: 100, respond: 200 },
      { at: 500, retransmission: true },
      { at: 600, respond: 500, expectAccepted: false },
      { at: 4500, retransmission: true },
    ],
    until: 60_000,
    sent: ["200@100", "200@500", "200@4500"],
    states: ["completed", "completed", "completed", "completed", "terminated"],
    terminatedAt: 32_100,
  },
  {
    name: "when the TU sends a final response in Proceeding over UDP, then Timer J ends the transaction at 64*T1",
    reliable: false,
    steps: [
      { at: 100, respond: 100 },
      { at: 1000, respond: 404 },
    ],
    until: 60_000,
    sent: ["100@100", "404@1000"],
    states: ["proceeding", "completed", "terminated"],
    terminatedAt: 33_000,
  },
  {
    name: "when the TU sends a final response over TCP, then Timer J is zero",
    reliable: true,
    steps: [{ at: 100, respond: 200 }],
    until: 60_000,
    sent: ["200@100"],
    states: ["terminated", "terminated"],
    terminatedAt: 100,
  },
];

describe("non-INVITE server transaction (RFC 3261 §17.2.2)", () => {
  for (const scenario of scenarios) {
    test(scenario.name, () => {
      const clock = new FakeClock();
      const user = new RecordingUser();
      const layer = new TransactionLayer({ clock, user });
      const transport = new RecordingTransport(clock, scenario.reliable);
      const bye = sampleRequest({ method: "BYE", toTag: "a6c85cf" });
      let terminatedAt: number | undefined;
      const tx = layer.receiveRequest(bye, transport)!;
      assert.equal(tx.kind, "non-invite-server");
      tx.user = {
        onTerminated: () => {
          terminatedAt = clock.now();
        },
      };
      const states: string[] = [];
      for (const step of scenario.steps) {
        clock.advance(step.at - clock.now());
        if ("retransmission" in step) {
          assert.equal(layer.receiveRequest(bye, transport), tx);
        } else {
          const accepted = tx.respond(createResponse(bye, step.respond));
          assert.equal(accepted, step.expectAccepted ?? true);
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
      );
      assert.deepEqual(states, scenario.states);
      assert.equal(terminatedAt, scenario.terminatedAt);
      assert.equal(user.requests.length, 1, "the TU saw the request exactly once");
      if (scenario.terminatedAt !== undefined) assert.equal(layer.serverTransactionCount, 0);
      layer.close();
    });
  }
});
