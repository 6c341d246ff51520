import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { after, describe, test } from "node:test";
import type { LegOptions } from "./media-control.ts";
import { MediaError } from "./media-error.ts";
import { RtpRelay } from "./rtp-relay.ts";
import { readSdp } from "./sdp-media.ts";
import { audioSdp, rtcpReceiverReport, rtpPacket, TestPhone } from "./testing/test-phone.ts";

const PORT_MIN = 31000;
const PORT_MAX = 31199;
const relay = new RtpRelay({ portMin: PORT_MIN, portMax: PORT_MAX });
const phones: TestPhone[] = [];
let nextCallId = 0;

after(() => {
  relay.close();
  for (const phone of phones) phone.close();
});

async function phone(): Promise<TestPhone> {
  const opened = await TestPhone.open();
  phones.push(opened);
  return opened;
}

function mediaPort(sdp: string, index = 0): number {
  return Number([...sdp.matchAll(/^m=\S+ (\d+)/gm)][index]![1]);
}

function rtcpAttributePort(sdp: string): number {
  return Number(/^a=rtcp:(\d+)/m.exec(sdp)![1]);
}

/** Alice calls Bob through the relay; returns the relay ports each phone sends to. */
async function connect(options: {
  alice: TestPhone;
  bob: TestPhone;
  aliceRtcp?: TestPhone;
  bobRtcp?: TestPhone;
  legs?: { caller?: LegOptions; callee?: LegOptions };
}) {
  const callId = `call-${++nextCallId}`;
  const offer = await relay.allocate({
    callId,
    offer: audioSdp({ port: options.alice.port, rtcpPort: options.aliceRtcp?.port }),
    ...(options.legs ? { legs: options.legs } : {}),
  });
  const answer = await relay.update({
    callId,
    from: "callee",
    kind: "answer",
    sdp: audioSdp({ port: options.bob.port, rtcpPort: options.bobRtcp?.port }),
  });
  return {
    callId,
    offerSdp: offer.sdp,
    answerSdp: answer.sdp,
    alicePort: mediaPort(answer.sdp),
    bobPort: mediaPort(offer.sdp),
  };
}

async function legStats(callId: string) {
  const stats = await relay.stats(callId);
  assert.ok(stats, `call ${callId} has stats`);
  return stats.streams[0]!;
}

describe("RtpRelay forwarding", () => {
  test("when both phones send RTP, then each receives the other's packets unchanged from the relay port it sends to", async () => {
    const [alice, bob] = [await phone(), await phone()];
    const call = await connect({ alice, bob });
    assert.notEqual(call.alicePort, call.bobPort);
    assert.equal(readSdp(call.offerSdp).media[0]?.rtp?.address, "127.0.0.1");

    const fromAlice = rtpPacket({ seq: 1, ssrc: 0xa11ce });
    await alice.send(fromAlice, call.alicePort);
    const atBob = await bob.next();
    assert.deepEqual(atBob.data, fromAlice);
    assert.equal(atBob.from.port, call.bobPort);

    const fromBob = rtpPacket({ seq: 900, ssrc: 0xb0b });
    await bob.send(fromBob, call.bobPort);
    const atAlice = await alice.next();
    assert.deepEqual(atAlice.data, fromBob);
    assert.equal(atAlice.from.port, call.alicePort);

    const stream = await legStats(call.callId);
    assert.equal(stream.caller.rtp.packets, 1);
    assert.equal(stream.caller.rtp.bytes, fromAlice.length);
    assert.equal(stream.callee.rtp.packets, 1);
    assert.equal(stream.callee.rtp.bytes, fromBob.length);
    assert.deepEqual(stream.caller.local, {
      address: "127.0.0.1",
      rtpPort: call.alicePort,
      rtcpPort: call.alicePort + 1,
    });
  });

  test("when a phone behind NAT sends from another port than its SDP names, then replies go to where it sent from", async () => {
    const [aliceAdvertised, aliceNat, bob] = [await phone(), await phone(), await phone()];
    const call = await connect({ alice: aliceAdvertised, bob });

    await aliceNat.send(rtpPacket({ seq: 1 }), call.alicePort);
    await bob.next();
    await bob.send(rtpPacket({ seq: 1, ssrc: 2 }), call.bobPort);

    assert.equal((await aliceNat.next()).from.port, call.alicePort);
    assert.deepEqual(await aliceAdvertised.drain(), []);
    const stream = await legStats(call.callId);
    assert.equal(stream.caller.latched, true);
    assert.deepEqual(stream.caller.remoteRtp, { address: "127.0.0.1", port: aliceNat.port });
  });

  test("when a third party sends to a latched port, then its packets are dropped and counted and the phone keeps its audio", async () => {
    const [alice, bob, intruder] = [await phone(), await phone(), await phone()];
    const call = await connect({ alice, bob });
    await alice.send(rtpPacket({ seq: 1 }), call.alicePort);
    await bob.next();

    await intruder.send(rtpPacket({ seq: 2, ssrc: 666 }), call.alicePort);
    await bob.send(rtpPacket({ seq: 1, ssrc: 2 }), call.bobPort);

    assert.equal((await alice.next()).from.port, call.alicePort);
    assert.deepEqual(await intruder.drain(), []);
    assert.deepEqual(await bob.drain(), []);
    assert.equal((await legStats(call.callId)).caller.foreignPackets, 1);
  });

  test("when a leg is asymmetric, then replies go to its SDP address whatever port it sends from", async () => {
    const [alice, bob, bobSender] = [await phone(), await phone(), await phone()];
    const call = await connect({ alice, bob, legs: { callee: { symmetric: false } } });
    await bobSender.send(rtpPacket({ seq: 1 }), call.bobPort);
    await alice.next();
    await alice.send(rtpPacket({ seq: 1, ssrc: 5 }), call.alicePort);
    await bob.next();
    assert.deepEqual(await bobSender.drain(), []);
  });

  test("when packets are lost, reordered and wrap around 65535, then the stats report exactly the lost ones", async () => {
    const [alice, bob] = [await phone(), await phone()];
    const call = await connect({ alice, bob });
    const arrival = [65530, 65531, 65533, 65532, 65535, 0, 1, 4, 3, 5, 8, 9];
    for (const seq of arrival) await alice.send(rtpPacket({ seq }), call.alicePort);
    for (const _ of arrival) await bob.next();

    const { rtp } = (await legStats(call.callId)).caller;
    assert.equal(rtp.packets, arrival.length);
    assert.equal(rtp.expected, 16);
    assert.equal(rtp.lost, 4, "65534, 2, 6 and 7 never arrived");
  });

  test("when garbage reaches the relay's ports, then it is dropped, counted, and relaying goes on", async () => {
    const [alice, bob, aliceRtcp, bobRtcp] = [await phone(), await phone(), await phone(), await phone()];
    const call = await connect({ alice, bob, aliceRtcp, bobRtcp });
    const versionOne = rtpPacket({ seq: 3 });
    versionOne[0] = 0x40;
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from("INVITE sip:x SIP/2.0\r\n\r\n"),
      versionOne,
      Buffer.alloc(5, 0x80),
    ]) {
      await alice.send(junk, call.alicePort);
    }
    await aliceRtcp.send(rtpPacket({ seq: 1 }), call.alicePort + 1);
    await alice.send(rtpPacket({ seq: 7 }), call.alicePort);

    assert.equal(rtpSeq((await bob.next()).data), 7);
    assert.deepEqual(await bob.drain(), []);
    assert.deepEqual(await bobRtcp.drain(), []);
    const stream = await legStats(call.callId);
    assert.equal(stream.caller.junkPackets, 5);
    assert.equal(stream.caller.rtp.packets, 1);
  });

  test("when a phone sends RTCP to the relay's RTCP port, then it reaches the other phone's RTCP port from the relay's", async () => {
    const [alice, bob, aliceRtcp, bobRtcp] = [await phone(), await phone(), await phone(), await phone()];
    const call = await connect({ alice, bob, aliceRtcp, bobRtcp });
    assert.equal(rtcpAttributePort(call.offerSdp), call.bobPort + 1);
    assert.equal(rtcpAttributePort(call.answerSdp), call.alicePort + 1);

    const report = rtcpReceiverReport(0xa11ce);
    await aliceRtcp.send(report, call.alicePort + 1);
    const atBob = await bobRtcp.next();
    assert.deepEqual(atBob.data, report);
    assert.equal(atBob.from.port, call.bobPort + 1);
    assert.deepEqual(await bob.drain(), []);
    const stream = await legStats(call.callId);
    assert.equal(stream.caller.rtcp.packets, 1);
    assert.equal(stream.caller.rtp.packets, 0);
  });

  test("when RTCP is multiplexed on the RTP port, then it goes to the other phone's RTP port and counts as RTCP", async () => {
    const [alice, bob] = [await phone(), await phone()];
    const call = await connect({ alice, bob });
    await alice.send(rtcpReceiverReport(), call.alicePort);
    assert.deepEqual((await bob.next()).data, rtcpReceiverReport());
    const stream = await legStats(call.callId);
    assert.deepEqual([stream.caller.rtcp.packets, stream.caller.rtp.packets], [1, 0]);
  });

  test("when a packet arrives before the other phone's address is known, then it is counted as undeliverable", async () => {
    const alice = await phone();
    const callId = `call-${++nextCallId}`;
    const offer = await relay.allocate({ callId, offer: audioSdp({ port: alice.port }) });
    const bobSidePort = mediaPort(offer.sdp);
    const stats = await relay.stats(callId);
    const alicePort = stats!.streams[0]!.caller.local.rtpPort;
    assert.notEqual(alicePort, bobSidePort);
    await alice.send(rtpPacket({ seq: 1 }), alicePort);
    await alice.drain();
    assert.equal((await legStats(callId)).caller.undeliverablePackets, 1);
  });

  test("when the callee re-offers a new address, then media follows it and the relay's ports stay the same", async () => {
    const [alice, bob, bobMoved] = [await phone(), await phone(), await phone()];
    const call = await connect({ alice, bob });
    const reoffer = await relay.update({
      callId: call.callId,
      from: "callee",
      kind: "offer",
      sdp: audioSdp({ port: bobMoved.port }),
    });
    assert.equal(mediaPort(reoffer.sdp), call.alicePort);
    const reanswer = await relay.update({
      callId: call.callId,
      from: "caller",
      kind: "answer",
      sdp: audioSdp({ port: alice.port }),
    });
    assert.equal(mediaPort(reanswer.sdp), call.bobPort);

    await alice.send(rtpPacket({ seq: 1 }), call.alicePort);
    await bobMoved.next();
    assert.deepEqual(await bob.drain(), []);
  });

  test("when the callee makes the offer (late offer), then the caller's answer completes the call and media flows both ways", async () => {
    const [alice, bob] = [await phone(), await phone()];
    const callId = `call-${++nextCallId}`;
    const offer = await relay.allocate({ callId, from: "callee", offer: audioSdp({ port: bob.port }) });
    const answer = await relay.update({
      callId,
      from: "caller",
      kind: "answer",
      sdp: audioSdp({ port: alice.port }),
    });
    const [alicePort, bobPort] = [mediaPort(offer.sdp), mediaPort(answer.sdp)];
    await alice.send(rtpPacket({ seq: 1 }), alicePort);
    assert.equal((await bob.next()).from.port, bobPort);
    await bob.send(rtpPacket({ seq: 1, ssrc: 9 }), bobPort);
    assert.equal((await alice.next()).from.port, alicePort);
    assert.equal((await relay.stats(callId))?.state, "answered");
  });

  test("when an SDP names one of the relay's own ports, then the relay never sends to itself", async () => {
    const alice = await phone();
    const callId = `call-${++nextCallId}`;
    const offer = await relay.allocate({ callId, offer: audioSdp({ port: alice.port }) });
    const looped = await relay.update({ callId, from: "callee", kind: "answer", sdp: offer.sdp });
    await alice.send(rtpPacket({ seq: 1 }), mediaPort(looped.sdp));
    await alice.drain();
    const stream = await legStats(callId);
    assert.equal(stream.callee.remoteRtp, undefined);
    assert.equal(stream.caller.undeliverablePackets, 1);
    assert.equal(stream.callee.rtp.packets, 0);
  });
});

describe("RtpRelay ports and lifecycle", () => {
  test("when the answer rejects a stream with port 0, then that stream's ports are freed and the caller sees port 0", async () => {
    const [alice, bob] = [await phone(), await phone()];
    const callId = `call-${++nextCallId}`;
    const before = relay.availablePortPairs;
    const video = ["m=video 5000 RTP/AVP 96", "a=rtpmap:96 H264/90000"];
    await relay.allocate({ callId, offer: audioSdp({ port: alice.port, extraMediaLines: video }) });
    assert.equal(relay.availablePortPairs, before - 4);
    const answer = await relay.update({
      callId,
      from: "callee",
      kind: "answer",
      sdp: audioSdp({ port: bob.port, extraMediaLines: ["m=video 0 RTP/AVP 96"] }),
    });
    assert.equal(relay.availablePortPairs, before - 2);
    assert.equal(mediaPort(answer.sdp, 1), 0);
    assert.deepEqual(
      (await relay.stats(callId))!.streams.map((stream) => stream.type),
      ["audio"],
    );
  });

  test("when a call is released, then its final stats are returned, its ports count as available again and packets sent to them reach no one", async () => {
    const [alice, bob] = [await phone(), await phone()];
    const before = relay.availablePortPairs;
    const call = await connect({ alice, bob });
    await alice.send(rtpPacket({ seq: 1 }), call.alicePort);
    await bob.next();

    const final = await relay.release(call.callId);
    assert.equal(final?.state, "released");
    assert.equal(final?.streams[0]?.caller.rtp.packets, 1);
    assert.equal(relay.availablePortPairs, before);
    assert.equal(await relay.release(call.callId), undefined);
    assert.equal(await relay.stats(call.callId), undefined);

    await alice.send(rtpPacket({ seq: 2 }), call.alicePort);
    await alice.send(rtpPacket({ seq: 2 }), call.bobPort);
    assert.deepEqual(await bob.drain(), []);
    assert.deepEqual(await alice.drain(), []);
    await assert.rejects(
      relay.update({ callId: call.callId, from: "callee", kind: "offer", sdp: audioSdp({ port: bob.port }) }),
      (error) => error instanceof MediaError && error.code === "MEDIA.CALL_NOT_FOUND",
    );
  });

  test("when a call id is allocated twice, then the second fails with MEDIA.CALL_EXISTS", async () => {
    const alice = await phone();
    const callId = `call-${++nextCallId}`;
    await relay.allocate({ callId, offer: audioSdp({ port: alice.port }) });
    await assert.rejects(
      relay.allocate({ callId, offer: audioSdp({ port: alice.port }) }),
      (error) => error instanceof MediaError && error.code === "MEDIA.CALL_EXISTS",
    );
    await relay.release(callId);
  });

  test("when the offer is not SDP, then allocate fails with MEDIA.INVALID_SDP and nothing is held", async () => {
    const [calls, pairs] = [relay.activeCalls, relay.availablePortPairs];
    await assert.rejects(
      relay.allocate({ callId: "broken", offer: "not sdp" }),
      (error) => error instanceof MediaError && error.code === "MEDIA.INVALID_SDP",
    );
    assert.deepEqual([relay.activeCalls, relay.availablePortPairs], [calls, pairs]);
  });
});

describe("RtpRelay with a small port range", () => {
  test("when the range runs out, then allocate fails with MEDIA.PORTS_EXHAUSTED and holds no port of the failed call", async () => {
    const small = new RtpRelay({ portMin: 31200, portMax: 31205 });
    try {
      const alice = await phone();
      await small.allocate({ callId: "first", offer: audioSdp({ port: alice.port }) });
      assert.equal(small.availablePortPairs, 1);
      await assert.rejects(
        small.allocate({ callId: "second", offer: audioSdp({ port: alice.port }) }),
        (error) => error instanceof MediaError && error.code === "MEDIA.PORTS_EXHAUSTED",
      );
      assert.equal(small.availablePortPairs, 1);
      assert.equal(small.activeCalls, 1);
      await small.release("first");
      await small.allocate({ callId: "second", offer: audioSdp({ port: alice.port }) });
    } finally {
      small.close();
    }
    assert.equal(small.availablePortPairs, 3);
  });

  test("when another process holds a port of the range, then the relay skips that pair", async () => {
    const squatter = createSocket("udp4");
    squatter.bind(31211, "127.0.0.1");
    await once(squatter, "listening");
    const small = new RtpRelay({ portMin: 31210, portMax: 31215 });
    try {
      const alice = await phone();
      await small.allocate({ callId: "call", offer: audioSdp({ port: alice.port }) });
      const { caller, callee } = (await small.stats("call"))!.streams[0]!;
      assert.deepEqual([caller.local.rtpPort, callee.local.rtpPort].sort(), [31212, 31214]);
    } finally {
      small.close();
      squatter.close();
    }
  });

  test("when the relay binds ::1, then the SDP it writes says IP6 and media flows both ways", async () => {
    const relay6 = new RtpRelay({ bindAddress: "::1", portMin: 31250, portMax: 31259 });
    const [alice, bob] = [await TestPhone.open("::1"), await TestPhone.open("::1")];
    try {
      const offer = await relay6.allocate({
        callId: "v6",
        offer: audioSdp({ address: "::1", port: alice.port }),
      });
      const answer = await relay6.update({
        callId: "v6",
        from: "callee",
        kind: "answer",
        sdp: audioSdp({ address: "::1", port: bob.port }),
      });
      assert.match(offer.sdp, /^c=IN IP6 ::1$/m);
      assert.match(answer.sdp, /^o=- 1000 1 IN IP6 ::1$/m);
      await alice.send(rtpPacket({ seq: 1 }), mediaPort(answer.sdp));
      assert.equal((await bob.next()).from.address, "::1");
      await bob.send(rtpPacket({ seq: 1, ssrc: 3 }), mediaPort(offer.sdp));
      assert.equal((await alice.next()).from.port, mediaPort(answer.sdp));
    } finally {
      relay6.close();
      alice.close();
      bob.close();
    }
  });

  test("when the relay is closed, then its calls are released and allocate fails with MEDIA.RELAY_CLOSED", async () => {
    const small = new RtpRelay({ portMin: 31220, portMax: 31229 });
    const alice = await phone();
    await small.allocate({ callId: "call", offer: audioSdp({ port: alice.port }) });
    small.close();
    assert.deepEqual([small.activeCalls, small.availablePortPairs], [0, 5]);
    await assert.rejects(
      small.allocate({ callId: "other", offer: audioSdp({ port: alice.port }) }),
      (error) => error instanceof MediaError && error.code === "MEDIA.RELAY_CLOSED",
    );
  });

  test("when the bind address is not on this host, then allocate fails with MEDIA.BIND_FAILED and holds nothing", async () => {
    const stray = new RtpRelay({ bindAddress: "192.0.2.1", portMin: 31230, portMax: 31239 });
    await assert.rejects(
      stray.allocate({ callId: "call", offer: audioSdp({ port: 4000 }) }),
      (error) => error instanceof MediaError && error.code === "MEDIA.BIND_FAILED",
    );
    assert.deepEqual([stray.activeCalls, stray.availablePortPairs], [0, 5]);
  });

  test("when the configuration cannot work, then the relay refuses it with MEDIA.INVALID_CONFIG", () => {
    for (const config of [
      { bindAddress: "localhost" },
      { bindAddress: "0.0.0.0" },
      { bindAddress: "127.0.0.1", advertisedAddress: "::1" },
      { portMin: 31240, portMax: 31240 },
      { inactivityTimeoutMs: 0 },
      { idleSocketPairs: -1 },
      { idleSocketPairs: 1.5 },
      { socketPairQuarantineMs: -1 },
    ]) {
      assert.throws(
        () => new RtpRelay(config),
        (error) => error instanceof MediaError && error.code === "MEDIA.INVALID_CONFIG",
        JSON.stringify(config),
      );
    }
  });
});

function rtpSeq(packet: Buffer): number {
  return packet.readUInt16BE(2);
}
