import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, describe, test } from "node:test";
import { parseMessage } from "@zaqros/sip";
import { freePort } from "../../../testing/free-port.ts";
import { rawReply } from "../../../testing/raw-sip-reply.ts";
import { runSipp } from "../../../testing/sipp.ts";
import {
  CARRIER_A_IP,
  CARRIER_B_IP,
  PHONE_IP,
  STRANGER_IP,
  startVoiceFixture,
  type VoiceFixture,
  ZAQROS_IP,
} from "../../../testing/voice-fixture.ts";
import { B_LEG_HEADER_ALLOWLIST } from "../b2bua/leg-request.ts";

const DIALLED = "00442079460958";

describe("calls through the B2BUA with SIPp phones and carriers", () => {
  let fx: VoiceFixture;
  let device: { username: string; password: string };
  let carrierA: { id: string; port: number };
  let carrierB: { id: string; port: number };

  before(async () => {
    fx = await startVoiceFixture("sqlite");
    const account = await fx.services.accounts.create({
      name: "Caller",
      email: "caller@example.com",
      country: "US",
    });
    await fx.services.numbers.assign("+14155550100", account.id);
    const provisioned = await fx.services.devices.provision(account.id);
    device = { username: provisioned.username, password: provisioned.password };
    const portA = await freePort();
    const portB = await freePort();
    const a = await fx.services.carriers.add({
      name: "A",
      host: CARRIER_A_IP,
      port: portA,
      addresses: [CARRIER_A_IP],
    });
    const b = await fx.services.carriers.add({
      name: "B",
      host: CARRIER_B_IP,
      port: portB,
      addresses: [CARRIER_B_IP],
    });
    await fx.services.carriers.importDeck(a.id, "prefix,cost_per_minute\n44,0.0100\n");
    await fx.services.carriers.importDeck(b.id, "prefix,cost_per_minute\n44,0.0200\n");
    carrierA = { id: a.id, port: portA };
    carrierB = { id: b.id, port: portB };
  });
  after(() => fx.close());

  const zaqros = () => `${ZAQROS_IP}:${fx.sipPort}`;
  const phoneCall = async (scenario: string, extra: Record<string, string> = {}) =>
    runSipp({
      scenario,
      remote: zaqros(),
      localIp: PHONE_IP,
      localPort: await freePort(),
      service: DIALLED,
      auth: device,
      pauseMs: 300,
      variables: { user: device.username, ...extra },
    });
  const carrier = (ip: string, port: number, scenario: string) =>
    runSipp({ scenario, localIp: ip, localPort: port, pauseMs: 300 });

  test("when a phone registers with digest, then the binding holds its address", async () => {
    const run = await runSipp({
      scenario: "register.xml",
      remote: zaqros(),
      localIp: PHONE_IP,
      localPort: await freePort(),
      service: device.username,
      auth: device,
    }).done;
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
    const credentials = await fx.services.devices.credentials(device.username);
    const bindings = await fx.services.registrations.contactsForAccount(credentials!.accountId);
    assert.equal(bindings.length, 1);
    assert.equal(bindings[0]?.source.address, PHONE_IP);
  });

  test("when a phone registers with a wrong password, then the challenge ends in 403", async () => {
    const run = await runSipp({
      scenario: "register-wrong-password.xml",
      remote: zaqros(),
      localIp: PHONE_IP,
      localPort: await freePort(),
      service: device.username,
      auth: { username: device.username, password: "not-the-password" },
    }).done;
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
  });

  test("when a phone asks for a registration shorter than the minimum, then it gets 423 with Min-Expires", async () => {
    const run = await runSipp({
      scenario: "register-too-brief.xml",
      remote: zaqros(),
      localIp: PHONE_IP,
      localPort: await freePort(),
      service: device.username,
      auth: device,
    }).done;
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
  });

  test("when a phone unregisters with Contact: * and Expires: 0, then none of its bindings is left", async () => {
    const credentials = await fx.services.devices.credentials(device.username);
    const phonePort = await freePort();
    const registered = await runSipp({
      scenario: "register.xml",
      remote: zaqros(),
      localIp: PHONE_IP,
      localPort: phonePort,
      service: device.username,
      auth: device,
    }).done;
    assert.equal(registered.code, 0);
    assert.ok((await fx.services.registrations.contactsForAccount(credentials!.accountId)).length > 0);
    const run = await runSipp({
      scenario: "unregister-all.xml",
      remote: zaqros(),
      localIp: PHONE_IP,
      localPort: phonePort,
      service: device.username,
      auth: device,
    }).done;
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
    assert.deepEqual(await fx.services.registrations.bindingsForDevice(credentials!.deviceId), []);
  });

  test("when a phone calls abroad and hangs up, then the cheapest carrier answers and the call record says so", async () => {
    const before = fx.records.length;
    const uas = carrier(CARRIER_A_IP, carrierA.port, "carrier-answer.xml");
    const uac = await (await phoneCall("call-device.xml")).done;
    const carrierRun = await uas.done;
    assert.equal(uac.code, 0, uac.stderr + uac.stdout.slice(-2000));
    assert.equal(carrierRun.code, 0, carrierRun.stderr + carrierRun.stdout.slice(-2000));
    const record = (await fx.recordsAfter(before + 1)).at(-1);
    assert.equal(record?.finalStatus, 200);
    assert.equal(record?.hangupCause, "caller");
    assert.equal(record?.carrierId, carrierA.id);
    assert.equal(record?.admission.destination, "+442079460958");
    assert.equal(record?.admission.source, "+14155550100");
  });

  test("when the carrier's side hangs up, then the phone gets the BYE", async () => {
    const before = fx.records.length;
    const uas = carrier(CARRIER_A_IP, carrierA.port, "carrier-answer-hangs-up.xml");
    const uac = await (await phoneCall("call-device-callee-hangs-up.xml")).done;
    const carrierRun = await uas.done;
    assert.equal(uac.code, 0, uac.stderr + uac.stdout.slice(-2000));
    assert.equal(carrierRun.code, 0, carrierRun.stderr + carrierRun.stdout.slice(-2000));
    assert.equal((await fx.recordsAfter(before + 1)).at(-1)?.hangupCause, "callee");
  });

  test("when the carrier sends its 200 again after the call ended, then it still gets an ACK", async () => {
    const before = fx.records.length;
    const uas = carrier(CARRIER_A_IP, carrierA.port, "carrier-answer-hangs-up-2xx-again.xml");
    const uac = await (await phoneCall("call-device-callee-hangs-up.xml")).done;
    const carrierRun = await uas.done;
    assert.equal(uac.code, 0, uac.stderr + uac.stdout.slice(-2000));
    // The carrier's scenario fails unless the retransmitted 200 is acknowledged within 4 s.
    assert.equal(carrierRun.code, 0, carrierRun.stderr + carrierRun.stdout.slice(-2000));
    assert.equal((await fx.recordsAfter(before + 1)).at(-1)?.hangupCause, "callee");
  });

  test("when the first carrier answers 503, then the call completes through the second", async () => {
    const before = fx.records.length;
    const refusing = carrier(CARRIER_A_IP, carrierA.port, "carrier-503.xml");
    const answering = carrier(CARRIER_B_IP, carrierB.port, "carrier-answer.xml");
    const uac = await (await phoneCall("call-device.xml")).done;
    assert.equal(uac.code, 0, uac.stderr + uac.stdout.slice(-2000));
    assert.equal((await refusing.done).code, 0);
    assert.equal((await answering.done).code, 0);
    const record = (await fx.recordsAfter(before + 1)).at(-1);
    assert.equal(record?.carrierId, carrierB.id);
    assert.equal(record?.finalStatus, 200);
  });

  test("when the caller cancels while the carrier rings, then both sides see the call end", async () => {
    const before = fx.records.length;
    const uas = carrier(CARRIER_A_IP, carrierA.port, "carrier-ring-cancel.xml");
    const uac = await (await phoneCall("call-device-cancel.xml")).done;
    assert.equal(uac.code, 0, uac.stderr + uac.stdout.slice(-2000));
    const carrierRun = await uas.done;
    assert.equal(carrierRun.code, 0, carrierRun.stderr + carrierRun.stdout.slice(-2000));
    const record = (await fx.recordsAfter(before + 1)).at(-1);
    assert.equal(record?.finalStatus, 487);
    assert.equal(record?.hangupCause, "caller");
  });

  test("when someone at an unlisted address sends an INVITE without credentials, then it is challenged and goes nowhere", async () => {
    const before = fx.records.length;
    const run = await runSipp({
      scenario: "invite-expect-407.xml",
      remote: zaqros(),
      localIp: STRANGER_IP,
      localPort: await freePort(),
      service: "+14155550100",
      variables: { user: "carrier" },
    }).done;
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fx.records.length, before, "no call was started");
  });

  /** Stands in for carrier A on a raw socket: records the INVITE it gets and answers 486. */
  async function captureCarrierInvite(scenario: string) {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(carrierA.port, CARRIER_A_IP, resolve));
    const received = new Promise<Buffer>((resolve) => {
      socket.once("message", (bytes, rinfo) => {
        const invite = parseMessage(bytes);
        if (invite.kind === "request")
          socket.send(rawReply(invite, 486, "Busy Here", "busy1"), rinfo.port, rinfo.address);
        resolve(bytes);
      });
    });
    const uac = (await phoneCall(scenario)).done;
    const bytes = await received;
    await uac;
    socket.close();
    return { bytes, invite: parseMessage(bytes) };
  }

  test("when the carrier receives the B-leg INVITE, then it carries only allowlisted headers and nothing of the caller's network", async () => {
    const { bytes, invite } = await captureCarrierInvite("call-device.xml");
    assert.equal(invite.kind, "request");
    const text = bytes.toString("latin1");
    for (const field of invite.headers.fields) {
      assert.ok(
        B_LEG_HEADER_ALLOWLIST.has(field.name.toLowerCase()),
        `header ${field.name} is not on the allowlist`,
      );
    }
    assert.ok(!text.includes(PHONE_IP), "the phone's address does not leak");
    assert.ok(!text.includes("secret-phone-model"), "the phone's user agent does not leak");
    assert.ok(!text.includes("SIPpTag00"), "the caller's tag does not leak");
    assert.match(
      invite.headers.first("from") ?? "",
      /<sip:\+14155550100@/,
      "the account's caller ID is presented",
    );
    assert.match(invite.headers.first("p-asserted-identity") ?? "", /<sip:\+14155550100@/);
    assert.equal(invite.headers.first("privacy"), undefined);
    assert.match(
      invite.kind === "request" ? invite.uriText : "",
      new RegExp(`^sip:442079460958@${CARRIER_A_IP.replaceAll(".", "\\.")}:${carrierA.port}`),
    );
  });

  test("when the caller asks for privacy, then the carrier sees an anonymous From and the identity only in P-Asserted-Identity", async () => {
    const { invite } = await captureCarrierInvite("call-device-private.xml");
    assert.match(invite.headers.first("from") ?? "", /^"Anonymous" <sip:anonymous@anonymous\.invalid>;tag=/);
    assert.match(invite.headers.first("p-asserted-identity") ?? "", /<sip:\+14155550100@/);
    assert.equal(invite.headers.first("privacy"), "id");
  });

  test("when a carrier delivers a call for a customer's number, then the registered phone rings and answers", async () => {
    const owner = await fx.services.accounts.create({ name: "Callee", email: "callee@example.com" });
    await fx.services.numbers.assign("+14155550200", owner.id);
    const phone = await fx.services.devices.provision(owner.id);
    const phonePort = await freePort();
    const registered = await runSipp({
      scenario: "register.xml",
      remote: zaqros(),
      localIp: PHONE_IP,
      localPort: phonePort,
      service: phone.username,
      auth: { username: phone.username, password: phone.password },
    }).done;
    assert.equal(registered.code, 0, registered.stdout.slice(-1500));
    const before = fx.records.length;
    const ringing = runSipp({ scenario: "carrier-answer.xml", localIp: PHONE_IP, localPort: phonePort });
    const delivered = await runSipp({
      scenario: "carrier-call.xml",
      remote: zaqros(),
      localIp: CARRIER_A_IP,
      localPort: await freePort(),
      service: "+14155550200",
      pauseMs: 300,
      variables: { user: "+442079460958" },
    }).done;
    assert.equal(delivered.code, 0, delivered.stderr + delivered.stdout.slice(-2000));
    const phoneRun = await ringing.done;
    assert.equal(phoneRun.code, 0, phoneRun.stderr + phoneRun.stdout.slice(-2000));
    const record = (await fx.recordsAfter(before + 1)).at(-1);
    assert.equal(record?.admission.direction, "inbound");
    assert.equal(record?.admission.billedAccountId, owner.id);
    assert.equal(record?.admission.source, "+442079460958");
    assert.equal(record?.finalStatus, 200);
  });

  test("when a carrier sends a call for a number we do not own, then it gets 404", async () => {
    const run = await runSipp({
      scenario: "carrier-call-expect-404.xml",
      remote: zaqros(),
      localIp: CARRIER_A_IP,
      localPort: await freePort(),
      service: "+14155550999",
      variables: { user: "+442079460958" },
    }).done;
    assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
  });

  test("when the carrier sends early media, then the phone gets a 183 whose SDP names the relay", async () => {
    const uas = carrier(CARRIER_A_IP, carrierA.port, "carrier-early-media.xml");
    const uac = await (await phoneCall("call-device-early-media.xml")).done;
    assert.equal(uac.code, 0, uac.stderr + uac.stdout.slice(-2000));
    assert.equal((await uas.done).code, 0);
  });

  test("when the phone puts the call on hold with a re-INVITE, then the carrier gets the hold and the phone its answer", async () => {
    const uas = carrier(CARRIER_A_IP, carrierA.port, "carrier-answer-hold.xml");
    const uac = await (await phoneCall("call-device-hold.xml")).done;
    const carrierRun = await uas.done;
    assert.equal(uac.code, 0, uac.stderr + uac.stdout.slice(-2000));
    assert.equal(carrierRun.code, 0, carrierRun.stderr + carrierRun.stdout.slice(-2000));
  });
});

describe("a call nobody answers", () => {
  let fx: VoiceFixture;
  after(() => fx?.close());

  test("when the callee rings past the no-answer time, then the carrier gets CANCEL and the phone 480", async () => {
    fx = await startVoiceFixture("sqlite", { timers: { noAnswerMs: 1500, carrierSetupMs: 2000 } });
    const account = await fx.services.accounts.create({ name: "Ringer", email: "ringer@example.com" });
    const device = await fx.services.devices.provision(account.id);
    const port = await freePort();
    const c = await fx.services.carriers.add({
      name: "Slow",
      host: CARRIER_A_IP,
      port,
      addresses: [CARRIER_A_IP],
    });
    await fx.services.carriers.importDeck(c.id, "prefix,cost_per_minute\n44,0.01\n");
    const uas = runSipp({ scenario: "carrier-ring-cancel.xml", localIp: CARRIER_A_IP, localPort: port });
    const uac = await runSipp({
      scenario: "call-device-no-answer.xml",
      remote: `${ZAQROS_IP}:${fx.sipPort}`,
      localIp: PHONE_IP,
      localPort: await freePort(),
      service: DIALLED,
      auth: { username: device.username, password: device.password },
      variables: { user: device.username },
    }).done;
    assert.equal(uac.code, 0, uac.stderr + uac.stdout.slice(-2000));
    assert.equal((await uas.done).code, 0);
    const record = (await fx.recordsAfter(1)).at(-1);
    assert.equal(record?.hangupCause, "no-answer");
    assert.equal(record?.finalStatus, 480);
  });
});
