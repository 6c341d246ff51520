import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { after, afterEach, describe, test } from "node:test";
import { RtpRelay } from "./rtp-relay.ts";
import type { RtpRelayConfig } from "./rtp-relay-config.ts";
import { ManualClock } from "./testing/manual-clock.ts";
import { audioSdp, rtpPacket, TestPhone } from "./testing/test-phone.ts";

const PORT_MIN = 31400;
const PAIRS = 5;
const QUARANTINE_MS = 2000;
const phones: TestPhone[] = [];
const relays: RtpRelay[] = [];
let nextCallId = 0;

afterEach(() => {
  for (const relay of relays.splice(0)) relay.close();
});

after(() => {
  for (const phone of phones) phone.close();
});

function newRelay(config: RtpRelayConfig = {}): { relay: RtpRelay; clock: ManualClock } {
  const clock = new ManualClock();
  const relay = new RtpRelay({
    portMin: PORT_MIN,
    portMax: PORT_MIN + 2 * PAIRS - 1,
    clock,
    socketPairQuarantineMs: QUARANTINE_MS,
    ...config,
  });
  relays.push(relay);
  return { relay, clock };
}

async function phone(): Promise<TestPhone> {
  const opened = await TestPhone.open();
  phones.push(opened);
  return opened;
}

function mediaPort(sdp: string): number {
  return Number(/^m=audio (\d+)/m.exec(sdp)![1]);
}

/** Alice calls Bob through `relay`; returns the relay ports each phone sends to. */
async function connect(relay: RtpRelay, alice: TestPhone, bob: TestPhone) {
  const callId = `call-${++nextCallId}`;
  const offer = await relay.allocate({ callId, offer: audioSdp({ port: alice.port }) });
  const answer = await relay.update({
    callId,
    from: "callee",
    kind: "answer",
    sdp: audioSdp({ port: bob.port }),
  });
  return { callId, alicePort: mediaPort(answer.sdp), bobPort: mediaPort(offer.sdp) };
}

/** Whether other software could bind `port` now (the relay binds its ports exclusively). */
async function canBind(port: number): Promise<boolean> {
  const socket = createSocket("udp4");
  try {
    socket.bind({ port, address: "127.0.0.1", exclusive: true });
    await once(socket, "listening");
    socket.close();
    return true;
  } catch {
    return false;
  }
}

describe("RtpRelay socket pair reuse", () => {
  test("when a call starts after the quarantine of a released one, then it gets the released ports and relays its media both ways", async () => {
    const { relay, clock } = newRelay();
    const first = await connect(relay, await phone(), await phone());
    await relay.release(first.callId);
    clock.advance(QUARANTINE_MS);

    const [alice, bob] = [await phone(), await phone()];
    const second = await connect(relay, alice, bob);
    assert.deepEqual(
      [second.alicePort, second.bobPort].sort(),
      [first.alicePort, first.bobPort].sort(),
      "the idle pairs are reused",
    );

    const fromAlice = rtpPacket({ seq: 10, ssrc: 0xa11ce });
    await alice.send(fromAlice, second.alicePort);
    const atBob = await bob.next();
    assert.deepEqual(atBob.data, fromAlice);
    assert.equal(atBob.from.port, second.bobPort);
    const fromBob = rtpPacket({ seq: 20, ssrc: 0xb0b });
    await bob.send(fromBob, second.bobPort);
    const atAlice = await alice.next();
    assert.deepEqual(atAlice.data, fromBob);
    assert.equal(atAlice.from.port, second.alicePort);

    const stream = (await relay.stats(second.callId))!.streams[0]!;
    assert.deepEqual(
      [stream.caller.rtp.packets, stream.callee.rtp.packets, stream.caller.rtp.lost, stream.callee.rtp.lost],
      [1, 1, 0, 0],
      "no figure of the previous call carries over",
    );
  });

  test("when the previous call's phone keeps sending to a reused port, then none of it reaches the new call and it counts as foreign", async () => {
    const { relay, clock } = newRelay();
    const [oldAlice, oldBob] = [await phone(), await phone()];
    const first = await connect(relay, oldAlice, oldBob);
    await oldAlice.send(rtpPacket({ seq: 1 }), first.alicePort);
    await oldBob.next();
    await relay.release(first.callId);

    await oldAlice.send(rtpPacket({ seq: 2 }), first.alicePort);
    await oldBob.send(rtpPacket({ seq: 2, ssrc: 7 }), first.bobPort);
    assert.deepEqual(
      [...(await oldBob.drain()), ...(await oldAlice.drain())],
      [],
      "an idle pair relays nothing",
    );
    clock.advance(QUARANTINE_MS);

    const [alice, bob] = [await phone(), await phone()];
    const second = await connect(relay, alice, bob);
    assert.deepEqual(
      [second.alicePort, second.bobPort],
      [first.alicePort, first.bobPort],
      "each leg gets the pair released longest ago",
    );
    await alice.send(rtpPacket({ seq: 100, ssrc: 0xa11ce }), second.alicePort);
    await bob.send(rtpPacket({ seq: 200, ssrc: 0xb0b }), second.bobPort);
    assert.equal((await bob.next()).data.readUInt32BE(8), 0xa11ce);
    assert.equal((await alice.next()).data.readUInt32BE(8), 0xb0b);

    await oldAlice.send(rtpPacket({ seq: 3, ssrc: 0x01d }), second.alicePort);
    await alice.send(rtpPacket({ seq: 101, ssrc: 0xa11ce }), second.alicePort);
    await bob.send(rtpPacket({ seq: 201, ssrc: 0xb0b }), second.bobPort);
    assert.equal((await bob.next()).data.readUInt32BE(8), 0xa11ce);
    assert.equal((await alice.next()).data.readUInt32BE(8), 0xb0b);
    assert.deepEqual(
      [...(await alice.drain()), ...(await bob.drain())],
      [],
      "the old phone's packet went nowhere",
    );
    assert.deepEqual(await oldBob.drain(), []);

    const stream = (await relay.stats(second.callId))!.streams[0]!;
    assert.deepEqual([stream.caller.foreignPackets, stream.callee.foreignPackets], [1, 0]);
    assert.deepEqual([stream.caller.rtp.packets, stream.callee.rtp.packets], [2, 2]);
    assert.deepEqual(stream.caller.remoteRtp, { address: "127.0.0.1", port: alice.port });
    assert.deepEqual(stream.callee.remoteRtp, { address: "127.0.0.1", port: bob.port });
  });

  test("when the same pairs carry call after call, then no listener of an ended call stays on them", async () => {
    const { relay, clock } = newRelay();
    const [alice, bob] = [await phone(), await phone()];
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      for (let call = 0; call < 3 * PAIRS; call++) {
        await relay.release((await connect(relay, alice, bob)).callId);
        clock.advance(QUARANTINE_MS);
      }
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  test("when a pair was released within the quarantine and fresh ports remain, then a new call gets fresh ports", async () => {
    const { relay, clock } = newRelay();
    const first = await connect(relay, await phone(), await phone());
    await relay.release(first.callId);
    clock.advance(QUARANTINE_MS - 1);
    const second = await connect(relay, await phone(), await phone());
    for (const port of [second.alicePort, second.bobPort]) {
      assert.ok(
        ![first.alicePort, first.bobPort].includes(port),
        `${port} was released ${QUARANTINE_MS - 1} ms ago`,
      );
    }
  });

  test("when only pairs within the quarantine are left, then a new call gets them rather than failing", async () => {
    const { relay } = newRelay();
    const [alice, bob] = [await phone(), await phone()];
    await connect(relay, alice, bob);
    const ended = await connect(relay, alice, bob);
    await relay.release(ended.callId);
    assert.equal(relay.availablePortPairs, PAIRS - 2, "one free pair and two idle ones");

    const next = await connect(relay, alice, bob);
    const reused = [next.alicePort, next.bobPort].filter((port) =>
      [ended.alicePort, ended.bobPort].includes(port),
    );
    assert.equal(reused.length, 1, "the free pair first, then the idle one released longest ago");
    assert.equal(reused[0], ended.alicePort);
    assert.equal(relay.availablePortPairs, 1);
  });

  test("when more pairs are released than idleSocketPairs, then the others are closed and other software can bind them", async () => {
    const { relay } = newRelay({ idleSocketPairs: 1 });
    const call = await connect(relay, await phone(), await phone());
    await relay.release(call.callId);
    const bindable = await Promise.all([call.alicePort, call.bobPort].map(canBind));
    assert.deepEqual(bindable.sort(), [false, true], "one pair waits bound, the other was closed");
    assert.equal(relay.availablePortPairs, PAIRS);
  });

  test("when idleSocketPairs is 0, then a released call's ports are closed at once", async () => {
    const { relay } = newRelay({ idleSocketPairs: 0 });
    const call = await connect(relay, await phone(), await phone());
    await relay.release(call.callId);
    assert.deepEqual(await Promise.all([call.alicePort, call.bobPort, call.alicePort + 1].map(canBind)), [
      true,
      true,
      true,
    ]);
  });

  test("when the relay is closed, then its idle pairs are closed too", async () => {
    const { relay } = newRelay();
    const call = await connect(relay, await phone(), await phone());
    await relay.release(call.callId);
    assert.equal(await canBind(call.alicePort), false, "idle while the relay runs");
    relay.close();
    assert.deepEqual(await Promise.all([call.alicePort, call.bobPort].map(canBind)), [true, true]);
    assert.equal(relay.availablePortPairs, PAIRS);
  });
});
