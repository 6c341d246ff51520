import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Baresip } from "../../../testing/baresip.ts";
import { ensureLoopbackInterface, LOOPBACK_INTERFACE } from "../../../testing/loopback-interface.ts";
import { startVoiceFixture, type VoiceFixture, ZAQROS_IP } from "../../../testing/voice-fixture.ts";

const CALLEE_DID = "+442079460100";
const CALLER_DID = "+442079460199";
/** The callee's number as someone in the United Kingdom dials it. */
const CALLEE_NATIONAL = "02079460100";

describe("calls between two baresip phones", { timeout: 30_000 }, () => {
  let fx: VoiceFixture;
  const phones: Baresip[] = [];
  let caller: Baresip;
  let callee: Baresip;

  before(async () => {
    const address = ensureLoopbackInterface();
    fx = await startVoiceFixture("sqlite");
    const callerAccount = await fx.services.accounts.create({
      name: "Caller",
      email: "caller@example.com",
      country: "GB",
    });
    const calleeAccount = await fx.services.accounts.create({
      name: "Callee",
      email: "callee@example.com",
      country: "GB",
    });
    await fx.services.numbers.assign(CALLER_DID, callerAccount.id);
    await fx.services.numbers.assign(CALLEE_DID, calleeAccount.id);
    const callerDevice = await fx.services.devices.provision(callerAccount.id);
    const calleeDevice = await fx.services.devices.provision(calleeAccount.id);
    const common = {
      registrar: `${ZAQROS_IP}:${fx.sipPort}`,
      netInterface: LOOPBACK_INTERFACE.name,
      listenAddress: address,
    };
    const rtpBase = 21_000 + (process.pid % 40) * 200;
    caller = await Baresip.start({
      ...common,
      name: "caller",
      username: callerDevice.username,
      password: callerDevice.password,
      rtpPorts: [rtpBase, rtpBase + 99],
    });
    phones.push(caller);
    callee = await Baresip.start({
      ...common,
      name: "callee",
      username: calleeDevice.username,
      password: calleeDevice.password,
      rtpPorts: [rtpBase + 100, rtpBase + 199],
    });
    phones.push(callee);
  });

  after(async () => {
    await Promise.allSettled(phones.map((phone) => phone.stop()));
    await fx?.close();
  });

  test("when one phone calls the other's number, then audio flows both ways through the relay and hang-up ends the call on both", async () => {
    await caller.waitForEvent((e) => e.type === "REGISTER_OK", "registration");
    await callee.waitForEvent((e) => e.type === "REGISTER_OK", "registration");
    const dialled = await caller.command("dial", `sip:${CALLEE_NATIONAL}@${ZAQROS_IP}:${fx.sipPort}`);
    assert.ok(dialled.ok, dialled.data);
    await caller.waitForEvent((e) => e.type === "CALL_ESTABLISHED", "call established");
    await callee.waitForEvent((e) => e.type === "CALL_ESTABLISHED", "call established");
    await new Promise((r) => setTimeout(r, 2500));
    const hung = await caller.command("hangup");
    assert.ok(hung.ok, hung.data);
    await caller.waitForEvent((e) => e.type === "CALL_CLOSED", "call closed");
    await callee.waitForEvent((e) => e.type === "CALL_CLOSED", "call closed");
    const record = (await fx.recordsAfter(1)).at(-1);
    console.log(caller.log(), callee.log(), JSON.stringify(record, null, 1));
  });
});
