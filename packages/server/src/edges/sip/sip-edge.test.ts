import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connect } from "node:tls";
import { parseMessage } from "@zaqros/sip";
import { loadOrCreateCertificate } from "../../config/tls-certificate.ts";
import { freePort } from "../../testing/free-port.ts";
import { rawReply } from "../../testing/raw-sip-reply.ts";
import {
  CARRIER_A_IP,
  CARRIER_B_IP,
  DOMAIN,
  STRANGER_IP,
  startVoiceFixture,
  ZAQROS_IP,
} from "../../testing/voice-fixture.ts";

test("when a phone connects over TLS, then Zaqros answers SIP on the TLS port with its certificate", async () => {
  const tls = await loadOrCreateCertificate({
    dataDir: mkdtempSync(join(tmpdir(), "zq-sip-tls-")),
    publicHost: ZAQROS_IP,
  });
  const tlsPort = await freePort();
  const fx = await startVoiceFixture("sqlite", { sipTlsPort: tlsPort, tls });
  try {
    const socket = connect({ host: ZAQROS_IP, port: tlsPort, ca: tls.cert, servername: "localhost" });
    await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
    const reply = new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk;
        if (text.includes("\r\n\r\n")) resolve(text);
      });
    });
    socket.write(
      [
        `OPTIONS sip:${ZAQROS_IP}:${tlsPort};transport=tls SIP/2.0`,
        "Via: SIP/2.0/TLS 127.0.0.9:5061;branch=z9hG4bK-tls-probe-1",
        "From: <sip:probe@example.com>;tag=t1",
        `To: <sip:${ZAQROS_IP}>`,
        "Call-ID: tls-probe-1",
        "CSeq: 1 OPTIONS",
        "Max-Forwards: 70",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n"),
    );
    const response = parseMessage(Buffer.from(await reply));
    assert.equal(response.kind === "response" ? response.status : 0, 200);
    assert.match(response.headers.first("allow") ?? "", /INVITE/);
    socket.destroy();
  } finally {
    await fx.close();
  }
});

/** A minimal carrier on a UDP socket that answers every OPTIONS with 200. */
async function optionsResponder(ip: string, port: number) {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(port, ip, resolve));
  socket.on("message", (bytes, rinfo) => {
    const request = parseMessage(bytes);
    if (request.kind !== "request") return;
    socket.send(rawReply(request, 200, "OK", "up"), rinfo.port, rinfo.address);
  });
  return socket;
}

test("when a carrier stops answering OPTIONS, then it leaves routing, and returns when it answers again", async () => {
  const fx = await startVoiceFixture("sqlite", { sipTimers: { t1: 50, t2: 200 } });
  const upPort = await freePort();
  const downPort = await freePort();
  const up = await optionsResponder(CARRIER_A_IP, upPort);
  try {
    const a = await fx.services.carriers.add({ name: "Up", host: CARRIER_A_IP, port: upPort });
    const b = await fx.services.carriers.add({ name: "Down", host: CARRIER_B_IP, port: downPort });
    await fx.services.carriers.importDeck(a.id, "prefix,cost_per_minute\n44,0.02\n");
    await fx.services.carriers.importDeck(b.id, "prefix,cost_per_minute\n44,0.01\n");
    const routeNames = async () =>
      (await fx.services.carriers.routesFor("+442079460958")).map((r) => r.carrier.name);
    assert.deepEqual(await routeNames(), ["Down", "Up"]);
    await fx.edge.probeCarriers();
    assert.deepEqual(await routeNames(), ["Up"], "the silent carrier left routing");
    const back = await optionsResponder(CARRIER_B_IP, downPort);
    await fx.edge.probeCarriers();
    back.close();
    assert.deepEqual(await routeNames(), ["Down", "Up"], "it is back once it answers");
  } finally {
    up.close();
    await fx.close();
  }
});

/** Sends one request from `ip` over UDP and resolves with the first answer. */
async function askOnce(ip: string, port: number, lines: string[]) {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, ip, resolve));
  try {
    const answer = new Promise<Buffer>((resolve) => socket.once("message", resolve));
    socket.send([...lines, "Content-Length: 0", "", ""].join("\r\n"), port, ZAQROS_IP);
    const message = parseMessage(await answer);
    assert.equal(message.kind, "response");
    return message.kind === "response" ? message : assert.fail("not a response");
  } finally {
    socket.close();
  }
}

test("when a phone's first REGISTER or INVITE carries no credentials, then it is challenged without a transaction kept, and a carrier's INVITE is not challenged", async () => {
  const fx = await startVoiceFixture("sqlite");
  try {
    await fx.services.carriers.add({
      name: "Trusted",
      host: CARRIER_A_IP,
      port: 5060,
      addresses: [CARRIER_A_IP],
    });
    const request = (method: string, branch: string, user: string) => [
      `${method} sip:${user}@${ZAQROS_IP}:${fx.sipPort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK${branch};rport`,
      "Max-Forwards: 70",
      `From: <sip:${user}@${DOMAIN}>;tag=f-${branch}`,
      `To: <sip:${user}@${DOMAIN}>`,
      `Call-ID: stateless-${branch}`,
      `CSeq: 1 ${method}`,
      `Contact: <sip:${user}@127.0.0.9:5060>`,
    ];
    const register = await askOnce("127.0.0.9", fx.sipPort, request("REGISTER", "reg1", "zq1"));
    assert.equal(register.status, 401);
    assert.match(register.headers.first("www-authenticate") ?? "", /^Digest .*nonce="/);
    // RFC 3261 §8.2.7: the same request gets the same To tag, though nothing was kept for it.
    const again = await askOnce("127.0.0.9", fx.sipPort, request("REGISTER", "reg1", "zq1"));
    const toTag = (response: typeof register) => response.headers.to().params.get("tag");
    assert.ok(toTag(register));
    assert.equal(toTag(again), toTag(register));
    const other = await askOnce("127.0.0.9", fx.sipPort, request("REGISTER", "reg2", "zq1"));
    assert.notEqual(toTag(other), toTag(register), "another request, another tag");
    // Stateless only while the carriers read last are fresh (a read in flight means the stateful path).
    await fx.services.carriers.carrierAt(STRANGER_IP);
    const invite = await askOnce(STRANGER_IP, fx.sipPort, request("INVITE", "inv1", "442079460958"));
    assert.equal(invite.status, 407);
    assert.match(invite.headers.first("proxy-authenticate") ?? "", /^Digest .*nonce="/);
    assert.equal(
      fx.edge.stack.transactionLayer.serverTransactionCount,
      0,
      "nothing kept for either challenge",
    );

    const fromCarrier = await askOnce(CARRIER_A_IP, fx.sipPort, request("INVITE", "inv2", "15550000000"));
    assert.equal(fromCarrier.status, 404, "a carrier's call is routed by number, never challenged");
  } finally {
    await fx.close();
  }
});
