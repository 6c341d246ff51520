import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import { after, test } from "node:test";
import { WebSocket } from "ws";
import { selfSignedCertificate } from "./testing/self-signed-certificate.ts";
import { Inbox, waitUntil, within } from "./testing/wait.ts";
import type { InboundBytes } from "./transport.ts";
import { TransportError } from "./transport-error.ts";
import {
  createWssTransport,
  createWsTransport,
  type WsTransport,
  type WsTransportOptions,
} from "./ws-transport.ts";

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const register = (tag: string) =>
  `REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK${tag}\r\nContent-Length: 0\r\n\r\n`;

async function ws(options: Partial<WsTransportOptions> = {}, make = createWsTransport) {
  const transport = make({ address: "127.0.0.1", port: 0, ...options });
  cleanups.push(() => transport.close());
  const inbox = new Inbox<InboundBytes>();
  transport.onMessage(inbox.push);
  const local = await transport.listen();
  return { transport, inbox, local };
}

async function browser(url: string, protocols?: string | string[]) {
  const socket = new WebSocket(url, protocols);
  cleanups.push(() => socket.terminate());
  const received: string[] = [];
  socket.on("message", (data) => received.push(String(data)));
  socket.on("error", () => {});
  return { socket, received };
}

test("when two WS transports exchange messages, then each arrives as one message over one connection", async () => {
  const a = await ws();
  const b = await ws();
  await a.transport.send(Buffer.from(register("1")), { address: "127.0.0.1", port: b.local.port });
  const atB = await b.inbox.next();
  assert.equal(Buffer.from(atB.bytes).toString(), register("1"));
  assert.equal(atB.source.protocol, "ws");
  assert.equal(atB.source.address, "127.0.0.1");
  await b.transport.send(Buffer.from(register("2")), { ...atB.source, mayConnect: false });
  const atA = await a.inbox.next();
  assert.equal(Buffer.from(atA.bytes).toString(), register("2"));
  assert.equal(a.transport.stats().connections, 1);
  assert.equal(b.transport.stats().connections, 1);
});

test("when a browser connects offering the sip subprotocol, then the server selects it and messages flow both ways", async () => {
  const b = await ws({ path: "/sip" });
  const client = await browser(`ws://127.0.0.1:${b.local.port}/sip`, ["sip"]);
  await within(once(client.socket, "open"));
  assert.equal(client.socket.protocol, "sip");
  client.socket.send(register("3"));
  const got = await b.inbox.next();
  await b.transport.send(Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"), {
    ...got.source,
    mayConnect: false,
  });
  await waitUntil(() => client.received.length === 1);
  assert.match(client.received[0]!, /^SIP\/2\.0 200 OK/);
});

test("when a WebSocket handshake does not offer the sip subprotocol, then it is refused", async () => {
  const b = await ws();
  for (const protocols of [undefined, ["chat"], ["SIP"]]) {
    const client = await browser(`ws://127.0.0.1:${b.local.port}/`, protocols);
    const [, response] = await within(once(client.socket, "unexpected-response"));
    assert.equal(response.statusCode, 400);
  }
  assert.equal(b.transport.stats().connections, 0);
});

test("when a browser sends a CRLFCRLF keep-alive, then it gets a CRLF back", async () => {
  const b = await ws();
  const client = await browser(`ws://127.0.0.1:${b.local.port}/`, "sip");
  await within(once(client.socket, "open"));
  client.socket.send("\r\n\r\n");
  await waitUntil(() => client.received.length === 1);
  assert.equal(client.received[0], "\r\n");
  assert.equal(b.inbox.items.length, 0);
});

test("when a WebSocket message exceeds the size limit, then the connection is closed", async () => {
  const b = await ws({ maxMessageSize: 2048 });
  const client = await browser(`ws://127.0.0.1:${b.local.port}/`, "sip");
  await within(once(client.socket, "open"));
  client.socket.send("x".repeat(4096));
  await within(once(client.socket, "close"));
  assert.equal(b.inbox.items.length, 0);
  await waitUntil(() => b.transport.stats().connections === 0);
});

test("when the transport shares an HTTP server, then it takes only upgrades for its path and leaves the server open", async () => {
  const server = createServer((_req, res) => res.end("portal"));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  assert.ok(address && typeof address === "object");
  const b = await ws({ server, path: "/ws" });
  assert.equal(b.local.port, address.port);

  const client = await browser(`ws://127.0.0.1:${address.port}/ws`, "sip");
  await within(once(client.socket, "open"));
  client.socket.send(register("4"));
  await b.inbox.next();

  await b.transport.close();
  assert.equal(server.listening, true);
  const page = await fetch(`http://127.0.0.1:${address.port}/`, { headers: { connection: "close" } });
  assert.equal(await page.text(), "portal");
});

test("when a WebSocket client has gone, then a response cannot reach it and no connection is opened", async () => {
  const b = await ws();
  const client = await browser(`ws://127.0.0.1:${b.local.port}/`, "sip");
  await within(once(client.socket, "open"));
  client.socket.send(register("5"));
  const { source } = await b.inbox.next();
  client.socket.close();
  await waitUntil(() => b.transport.stats().connections === 0);
  await assert.rejects(
    b.transport.send(Buffer.from("SIP/2.0 200 OK\r\n\r\n"), { ...source, mayConnect: false }),
    (e) => e instanceof TransportError && e.code === "TRANSPORT.CONNECTION_CLOSED",
  );
});

test("when two WSS transports exchange messages, then they arrive over TLS", async () => {
  const { cert, key } = selfSignedCertificate();
  const tls = { server: { cert, key }, client: { ca: cert } };
  const a = await ws({ tls }, createWssTransport);
  const b = await ws({ tls }, createWssTransport);
  await a.transport.send(Buffer.from(register("6")), { address: "127.0.0.1", port: b.local.port });
  const got = await b.inbox.next();
  assert.equal(got.source.protocol, "wss");
  assert.equal(Buffer.from(got.bytes).toString(), register("6"));
});

test("when the connection cap is reached, then a further WebSocket handshake is refused", async () => {
  const b: { transport: WsTransport; local: { port: number } } = await ws({ maxConnections: 1 });
  const first = await browser(`ws://127.0.0.1:${b.local.port}/`, "sip");
  await within(once(first.socket, "open"));
  await waitUntil(() => b.transport.stats().connections === 1);
  const second = await browser(`ws://127.0.0.1:${b.local.port}/`, "sip");
  const outcome = await within(
    new Promise<string>((resolve) => {
      second.socket.on("unexpected-response", () => resolve("refused"));
      second.socket.on("error", () => resolve("refused"));
      second.socket.on("open", () => resolve("opened"));
    }),
  );
  assert.equal(outcome, "refused");
});
