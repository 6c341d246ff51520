import assert from "node:assert/strict";
import { after, beforeEach, describe, test } from "node:test";
import type { MediaTeardown } from "./media-control.ts";
import { RtpRelay } from "./rtp-relay.ts";
import { ManualClock } from "./testing/manual-clock.ts";
import { audioSdp, rtpPacket, TestPhone } from "./testing/test-phone.ts";

const SECOND = 1000;
const phones: TestPhone[] = [];
let clock: ManualClock;
let relay: RtpRelay;
let teardowns: MediaTeardown[];

beforeEach(() => {
  relay?.close();
  clock = new ManualClock();
  relay = new RtpRelay({
    portMin: 31300,
    portMax: 31399,
    clock,
    inactivityTimeoutMs: 60 * SECOND,
    holdTimeoutMs: 600 * SECOND,
    offerTimeoutMs: 120 * SECOND,
    checkIntervalMs: SECOND,
  });
  teardowns = [];
  relay.onTeardown((event) => teardowns.push(event));
});

after(() => {
  relay.close();
  for (const phone of phones) phone.close();
});

async function phone(): Promise<TestPhone> {
  const opened = await TestPhone.open();
  phones.push(opened);
  return opened;
}

async function answeredCall(
  options: { offerDirection?: "sendonly" | "inactive"; answerDirection?: "recvonly" | "inactive" } = {},
) {
  const [alice, bob] = [await phone(), await phone()];
  await relay.allocate({
    callId: "call",
    offer: audioSdp({ port: alice.port, direction: options.offerDirection }),
  });
  const answer = await relay.update({
    callId: "call",
    from: "callee",
    kind: "answer",
    sdp: audioSdp({ port: bob.port, direction: options.answerDirection }),
  });
  return { alice, bob, alicePort: Number(/^m=audio (\d+)/m.exec(answer.sdp)![1]) };
}

describe("RtpRelay inactivity", () => {
  test("when no RTP flows after the answer for the inactivity timeout, then the call is torn down with media-timeout and its ports freed", async () => {
    const pairs = relay.availablePortPairs;
    await answeredCall();
    clock.advance(59 * SECOND);
    assert.equal(teardowns.length, 0);
    clock.advance(1 * SECOND);
    assert.equal(teardowns.length, 1);
    assert.equal(teardowns[0]?.callId, "call");
    assert.equal(teardowns[0]?.reason, "media-timeout");
    assert.equal(teardowns[0]?.stats.state, "released");
    assert.equal(teardowns[0]?.stats.idleMs, 60 * SECOND);
    assert.deepEqual([relay.activeCalls, relay.availablePortPairs], [0, pairs]);
    assert.equal(await relay.release("call"), undefined);
  });

  test("when RTP keeps arriving, then the timeout counts from the last packet", async () => {
    const { alice, bob, alicePort } = await answeredCall();
    clock.advance(50 * SECOND);
    await alice.send(rtpPacket({ seq: 1 }), alicePort);
    await bob.next();
    clock.advance(59 * SECOND);
    assert.equal(teardowns.length, 0);
    assert.equal((await relay.stats("call"))?.idleMs, 59 * SECOND);
    clock.advance(1 * SECOND);
    assert.equal(teardowns[0]?.reason, "media-timeout");
    assert.equal(teardowns[0]?.stats.streams[0]?.caller.rtp.lastPacketAt, 50 * SECOND);
  });

  test("when every stream is on hold, then the longer hold timeout applies", async () => {
    await answeredCall({ offerDirection: "sendonly", answerDirection: "recvonly" });
    clock.advance(599 * SECOND);
    assert.equal(teardowns.length, 0);
    clock.advance(1 * SECOND);
    assert.equal(teardowns[0]?.reason, "hold-timeout");
  });

  test("when a held call is resumed, then the inactivity timeout applies again", async () => {
    const { alice, bob } = await answeredCall({ offerDirection: "inactive", answerDirection: "inactive" });
    clock.advance(300 * SECOND);
    await relay.update({
      callId: "call",
      from: "caller",
      kind: "offer",
      sdp: audioSdp({ port: alice.port }),
    });
    await relay.update({ callId: "call", from: "callee", kind: "answer", sdp: audioSdp({ port: bob.port }) });
    clock.advance(60 * SECOND);
    assert.equal(teardowns[0]?.reason, "media-timeout");
  });

  test("when an offer is never answered, then the call is torn down with offer-timeout", async () => {
    const alice = await phone();
    await relay.allocate({ callId: "ringing", offer: audioSdp({ port: alice.port }) });
    clock.advance(119 * SECOND);
    assert.equal(teardowns.length, 0, "ringing without early media is not inactivity");
    clock.advance(1 * SECOND);
    assert.deepEqual(
      teardowns.map((event) => [event.callId, event.reason]),
      [["ringing", "offer-timeout"]],
    );
  });

  test("when a call is released before its timeout, then no teardown is reported", async () => {
    await answeredCall();
    await relay.release("call");
    clock.advance(3600 * SECOND);
    assert.equal(teardowns.length, 0);
  });

  test("when a listener unsubscribes, then it hears of no further teardown", async () => {
    const heard: string[] = [];
    const unsubscribe = relay.onTeardown((event) => heard.push(event.callId));
    unsubscribe();
    await answeredCall();
    clock.advance(60 * SECOND);
    assert.deepEqual(heard, []);
    assert.equal(teardowns.length, 1);
  });
});
