import assert from "node:assert/strict";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parseNameAddr } from "../grammar/name-addr.ts";
import { createRequest } from "../message/create-request.ts";
import { createResponse } from "../message/create-response.ts";
import { parseMessage } from "../message/parse-message.ts";
import type { SipRequest, Via } from "../message/types.ts";
import { createTcpTransport } from "./tcp-transport.ts";
import { selfSignedCertificate } from "./testing/self-signed-certificate.ts";
import { Inbox, waitUntil, within } from "./testing/wait.ts";
import { createTlsTransport } from "./tls-transport.ts";
import type { Transport, TransportProtocol } from "./transport.ts";
import { TransportError } from "./transport-error.ts";
import {
  type Discard,
  type InboundMessage,
  TransportLayer,
  type TransportLayerOptions,
} from "./transport-layer.ts";
import { UdpTransport } from "./udp-transport.ts";
import { createWsTransport } from "./ws-transport.ts";

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function layer(transports: Transport[], options: Partial<TransportLayerOptions> = {}) {
  const transportLayer = new TransportLayer({ transports, ...options });
  cleanups.push(() => transportLayer.close());
  const inbox = new Inbox<InboundMessage>();
  const discards = new Inbox<Discard>();
  transportLayer.onMessage(inbox.push);
  transportLayer.onDiscard(discards.push);
  const [local] = await transportLayer.listen();
  assert.ok(local);
  return { layer: transportLayer, inbox, discards, local };
}

const udpLayer = (options: Partial<TransportLayerOptions> = {}) =>
  layer([new UdpTransport({ address: "127.0.0.1", port: 0 })], options);
const tcpLayer = () => layer([createTcpTransport({ address: "127.0.0.1", port: 0 })]);

function via(transport: string, host: string, port: number | undefined, rport = true): Via {
  const params = new Map<string, string | null>([
    ["branch", `z9hG4bK${Math.random().toString(36).slice(2)}`],
  ]);
  if (rport) params.set("rport", null);
  return { protocol: "SIP/2.0", transport, host, port, params };
}

function options(top: Via, extra: Array<[string, string]> = []): SipRequest {
  return createRequest({
    method: "OPTIONS",
    uri: "sip:probe@127.0.0.1",
    from: parseNameAddr("<sip:alice@example.com>"),
    to: parseNameAddr("<sip:probe@example.com>"),
    via: top,
    headers: extra,
  });
}

async function rawUdp(): Promise<{ socket: UdpSocket; port: number; inbox: Inbox<string> }> {
  const socket = createSocket("udp4");
  cleanups.push(() => socket.close());
  const inbox = new Inbox<string>();
  socket.on("message", (bytes) => inbox.push(bytes.toString("latin1")));
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return { socket, port: socket.address().port, inbox };
}

async function rawTcp(port: number): Promise<{ socket: Socket; data: () => string }> {
  const socket = connect({ host: "127.0.0.1", port });
  cleanups.push(() => socket.destroy());
  let data = "";
  socket.on("data", (chunk) => {
    data += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  await within(once(socket, "connect"));
  return { socket, data: () => data };
}

test("when a request goes over UDP with rport, then the server sees rport and received filled in and the response comes back", async () => {
  const a = await udpLayer();
  const b = await udpLayer();
  await a.layer.sendRequest(options(via("UDP", "127.0.0.1", a.local.port)), {
    protocol: "udp",
    host: "127.0.0.1",
    port: b.local.port,
  });
  const inbound = await b.inbox.next();
  assert.equal(inbound.message.kind, "request");
  const top = inbound.message.headers.via()[0]!;
  assert.equal(top.params.get("rport"), String(a.local.port));
  assert.equal(top.params.get("received"), "127.0.0.1");
  assert.ok(inbound.message.kind === "request");
  await b.layer.sendResponse(createResponse(inbound.message, 200), inbound);
  const answer = await a.inbox.next();
  assert.ok(answer.message.kind === "response");
  assert.equal(answer.message.status, 200);
});

test("when a UDP request's Via names a port the sender does not use, then rport sends the response to the real source port", async () => {
  const a = await udpLayer();
  const b = await udpLayer();
  const unused = await rawUdp();
  await a.layer.sendRequest(options(via("UDP", "127.0.0.1", unused.port)), {
    protocol: "udp",
    host: "127.0.0.1",
    port: b.local.port,
  });
  const inbound = await b.inbox.next();
  assert.ok(inbound.message.kind === "request");
  await b.layer.sendResponse(createResponse(inbound.message, 200));
  await a.inbox.next();
  assert.equal(unused.inbox.items.length, 0);
});

test("when a UDP request has no rport, then the response goes to received and the sent-by port", async () => {
  const a = await udpLayer();
  const b = await udpLayer();
  const sentByPort = await rawUdp();
  await a.layer.sendRequest(options(via("UDP", "192.0.2.1", sentByPort.port, false)), {
    protocol: "udp",
    host: "127.0.0.1",
    port: b.local.port,
  });
  const inbound = await b.inbox.next();
  assert.ok(inbound.message.kind === "request");
  const top = inbound.message.headers.via()[0]!;
  assert.equal(
    top.params.get("received"),
    "127.0.0.1",
    "sent-by differs from the source, so received is added",
  );
  assert.equal(top.params.has("rport"), false);
  assert.match(inbound.message.headers.first("via") ?? "", /;received=127\.0\.0\.1/);
  await b.layer.sendResponse(createResponse(inbound.message, 200), inbound);
  assert.match(await sentByPort.inbox.next(), /^SIP\/2\.0 200 OK\r\n/);
  await sleep(20);
  assert.equal(a.inbox.items.length, 0);
});

test("when a TCP request's connection is open, then the response goes over it even though sent-by is unreachable", async () => {
  const a = await tcpLayer();
  const b = await tcpLayer();
  await a.layer.sendRequest(options(via("TCP", "127.0.0.1", 1)), {
    protocol: "tcp",
    host: "127.0.0.1",
    port: b.local.port,
  });
  const inbound = await b.inbox.next();
  assert.ok(inbound.message.kind === "request");
  assert.equal(inbound.source.protocol, "tcp");
  assert.ok(inbound.source.connectionId);
  await b.layer.sendResponse(createResponse(inbound.message, 200), inbound);
  const answer = await a.inbox.next();
  assert.ok(answer.message.kind === "response");
  assert.equal(answer.source.port, b.local.port);
});

test("when a TCP request's connection has closed, then the response opens a connection to received and the sent-by port", async () => {
  const a = await tcpLayer();
  const b = await tcpLayer();
  const client = await rawTcp(b.local.port);
  const request = options(via("TCP", "client.example.com", a.local.port));
  client.socket.write(Buffer.from(parseRoundTrip(request)));
  const inbound = await b.inbox.next();
  assert.ok(inbound.message.kind === "request");
  client.socket.destroy();
  await sleep(20);
  await b.layer.sendResponse(createResponse(inbound.message, 486), inbound);
  const answer = await a.inbox.next();
  assert.ok(answer.message.kind === "response");
  assert.equal(answer.message.status, 486);
});

test("when a malformed request arrives over UDP, then a 400 naming the defect goes back to its source", async () => {
  const b = await udpLayer();
  const peer = await rawUdp();
  const bad = [
    "INVITE sip:bob@127.0.0.1 SIP/2.0",
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKbad1`,
    "Max-Forwards: lots",
    "To: <sip:bob@example.com>",
    "From: <sip:alice@example.com>;tag=1",
    "Call-ID: bad-1@example.com",
    "CSeq: 1 INVITE",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
  peer.socket.send(bad, b.local.port, "127.0.0.1");
  const response = await peer.inbox.next();
  assert.match(response, /^SIP\/2\.0 400 Malformed Max-Forwards\r\n/);
  assert.match(response, /\r\nCall-ID: bad-1@example\.com\r\n/);
  assert.match(response, /\r\nTo: <sip:bob@example\.com>;tag=\w+\r\n/);
  assert.equal(b.inbox.items.length, 0);
  assert.equal((await b.discards.next()).reason, "unparseable");
});

test("when a request has a malformed Via, then it is answered with 400 Malformed Via", async () => {
  const b = await udpLayer();
  const peer = await rawUdp();
  const bad = [
    "OPTIONS sip:bob@127.0.0.1 SIP/2.0",
    "Via: SIP/2.0/UDP ;branch=z9hG4bKbad2",
    "To: <sip:bob@example.com>",
    "From: <sip:alice@example.com>;tag=1",
    "Call-ID: bad-2@example.com",
    "CSeq: 1 OPTIONS",
    "",
    "",
  ].join("\r\n");
  peer.socket.send(bad, b.local.port, "127.0.0.1");
  assert.match(await peer.inbox.next(), /^SIP\/2\.0 400 Malformed Via\r\n/);
});

test("when pure garbage arrives, then nothing is sent back and the discard is reported", async () => {
  const b = await udpLayer();
  const peer = await rawUdp();
  peer.socket.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a]), b.local.port, "127.0.0.1");
  peer.socket.send("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", b.local.port, "127.0.0.1");
  await b.discards.next(2);
  await sleep(50);
  assert.equal(peer.inbox.items.length, 0);
  assert.equal(b.inbox.items.length, 0);
});

test("when a malformed request arrives over TCP, then the 400 comes back over the same connection", async () => {
  const b = await tcpLayer();
  const client = await rawTcp(b.local.port);
  client.socket.write(
    [
      "OPTIONS sip:bob@127.0.0.1 SIP/3.0",
      "Via: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKbad3",
      "To: <sip:bob@example.com>",
      "From: <sip:alice@example.com>;tag=1",
      "Call-ID: bad-3@example.com",
      "CSeq: 1 OPTIONS",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
  await waitUntil(() => client.data().includes("\r\n\r\n"));
  assert.match(client.data(), /^SIP\/2\.0 505 Version Not Supported\r\n/);
});

test("when a request is larger than 1300 bytes, then UDP refuses it unless the caller insists", async () => {
  const a = await udpLayer();
  const b = await udpLayer();
  const big = options(via("UDP", "127.0.0.1", a.local.port), [["X-Padding", "p".repeat(1400)]]);
  const target = { protocol: "udp" as TransportProtocol, host: "127.0.0.1", port: b.local.port };
  await assert.rejects(
    a.layer.sendRequest(big, target),
    (e) => e instanceof TransportError && e.code === "TRANSPORT.MESSAGE_TOO_LARGE",
  );
  await a.layer.sendRequest(big, { ...target, allowOversizedUdp: true });
  const inbound = await b.inbox.next();
  assert.equal(inbound.message.headers.first("x-padding")?.length, 1400);
});

test("when the target is a host name, then it is resolved to an address of the transport's family", async () => {
  const lookups: string[] = [];
  const a = await udpLayer({
    lookup: async (host) => {
      lookups.push(host);
      return [
        { address: "::1", family: 6 },
        { address: "127.0.0.1", family: 4 },
      ];
    },
  });
  const b = await udpLayer();
  await a.layer.sendRequest(options(via("UDP", "127.0.0.1", a.local.port)), {
    protocol: "udp",
    host: "sip.example.test",
    port: b.local.port,
  });
  await b.inbox.next();
  assert.deepEqual(lookups, ["sip.example.test"]);
  const failing = await udpLayer({ lookup: async () => Promise.reject(new Error("ENOTFOUND")) });
  await assert.rejects(
    failing.layer.sendRequest(options(via("UDP", "127.0.0.1", 5060)), {
      protocol: "udp",
      host: "nowhere.test",
    }),
    (e) => e instanceof TransportError && e.code === "TRANSPORT.UNRESOLVABLE",
  );
});

test("when no transport of the wanted protocol exists, then sending fails with NO_TRANSPORT", async () => {
  const a = await udpLayer();
  await assert.rejects(
    a.layer.sendRequest(options(via("TCP", "127.0.0.1", 5060)), {
      protocol: "tcp",
      host: "127.0.0.1",
      port: 5060,
    }),
    (e) => e instanceof TransportError && e.code === "TRANSPORT.NO_TRANSPORT",
  );
});

test("when two layers talk over WebSocket, then the request and its response travel over one connection", async () => {
  const a = await layer([createWsTransport({ address: "127.0.0.1", port: 0 })]);
  const b = await layer([createWsTransport({ address: "127.0.0.1", port: 0 })]);
  await a.layer.sendRequest(options(via("WS", "df7jal23ls0d.invalid", undefined)), {
    protocol: "ws",
    host: "127.0.0.1",
    port: b.local.port,
  });
  const inbound = await b.inbox.next();
  assert.ok(inbound.message.kind === "request");
  assert.equal(inbound.message.headers.via()[0]?.params.get("received"), "127.0.0.1");
  await b.layer.sendResponse(createResponse(inbound.message, 200), inbound);
  const answer = await a.inbox.next();
  assert.ok(answer.message.kind === "response");
  assert.equal(answer.message.status, 200);
});

test("when two layers talk over TLS, then the response comes back over the TLS connection", async () => {
  const { cert, key } = selfSignedCertificate();
  const tls = () =>
    createTlsTransport({ address: "127.0.0.1", port: 0 }, { server: { cert, key }, client: { ca: cert } });
  const a = await layer([tls()]);
  const b = await layer([tls()]);
  await a.layer.sendRequest(options(via("TLS", "127.0.0.1", a.local.port)), {
    protocol: "tls",
    host: "127.0.0.1",
    port: b.local.port,
  });
  const inbound = await b.inbox.next();
  assert.ok(inbound.message.kind === "request");
  await b.layer.sendResponse(createResponse(inbound.message, 200), inbound);
  assert.equal((await a.inbox.next()).source.protocol, "tls");
});

test("when flows are bound for transactions, then requests and responses use them and report reliability", async () => {
  const a = await tcpLayer();
  const b = await tcpLayer();
  const flow = a.layer.requestFlow({ protocol: "tcp", host: "127.0.0.1", port: b.local.port });
  assert.equal(flow.reliable, true);
  await flow.send(options(via("TCP", "127.0.0.1", a.local.port)));
  const inbound = await b.inbox.next();
  assert.ok(inbound.message.kind === "request");
  const back = b.layer.responseFlow(inbound);
  await back.send(createResponse(inbound.message, 180));
  await back.send(createResponse(inbound.message, 200));
  await a.inbox.next(2);
  assert.deepEqual(
    a.inbox.items.map((i) => (i.message.kind === "response" ? i.message.status : 0)),
    [180, 200],
  );
});

test("when the message handler throws, then the layer reports it and keeps serving", async () => {
  const a = await udpLayer();
  const b = await udpLayer();
  let calls = 0;
  b.layer.onMessage(() => {
    calls++;
    throw new Error("bug above");
  });
  const target = { protocol: "udp" as TransportProtocol, host: "127.0.0.1", port: b.local.port };
  await a.layer.sendRequest(options(via("UDP", "127.0.0.1", a.local.port)), target);
  assert.equal((await b.discards.next()).reason, "handler-failed");
  await a.layer.sendRequest(options(via("UDP", "127.0.0.1", a.local.port)), target);
  await waitUntil(() => calls === 2);
});

/** The request as a peer would put it on the wire. */
function parseRoundTrip(request: SipRequest): string {
  const text = [
    `${request.method} ${request.uriText} SIP/2.0`,
    ...request.headers.fields.map((f) => `${f.name}: ${f.value}`),
    "",
    "",
  ].join("\r\n");
  parseMessage(Buffer.from(text));
  return text;
}
