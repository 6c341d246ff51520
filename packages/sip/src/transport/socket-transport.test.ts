import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { SocketTransport } from "./socket-transport.ts";
import { createTcpTransport } from "./tcp-transport.ts";
import { selfSignedCertificate } from "./testing/self-signed-certificate.ts";
import { Inbox, waitUntil, within } from "./testing/wait.ts";
import { createTlsTransport } from "./tls-transport.ts";
import type { InboundBytes, SendTarget } from "./transport.ts";
import { TransportError } from "./transport-error.ts";

const open: Array<{ close(): Promise<void> }> = [];
const sockets: Socket[] = [];
after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(open.map((t) => t.close()));
});

function options(message: string): Uint8Array {
  return Buffer.from(
    `OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK${message}\r\nContent-Length: ${message.length}\r\n\r\n${message}`,
  );
}

async function tcp(limits: Parameters<typeof createTcpTransport>[0] = { address: "127.0.0.1" }) {
  const transport = createTcpTransport({ port: 0, ...limits });
  open.push(transport);
  const inbox = new Inbox<InboundBytes>();
  transport.onMessage(inbox.push);
  const local = await transport.listen();
  return { transport, inbox, local };
}

async function rawClient(
  port: number,
): Promise<{ socket: Socket; received: () => string; closed: Promise<unknown> }> {
  const socket = connect({ host: "127.0.0.1", port });
  sockets.push(socket);
  let data = "";
  socket.on("data", (chunk) => {
    data += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  const closed = within(once(socket, "close"), 3000, "the server to close the connection");
  closed.catch(() => {});
  await once(socket, "connect");
  return { socket, received: () => data, closed };
}

function errorCode(error: unknown): string | undefined {
  return error instanceof TransportError ? error.code : undefined;
}

test("when a TCP transport sends to another, then the message arrives whole and the answer reuses the connection", async () => {
  const a = await tcp();
  const b = await tcp();
  await a.transport.send(options("hello"), { address: "127.0.0.1", port: b.local.port });

  const atB = await b.inbox.next();
  assert.equal(Buffer.from(atB.bytes).toString(), Buffer.from(options("hello")).toString());
  assert.equal(atB.source.protocol, "tcp");
  assert.equal(atB.source.address, "127.0.0.1");
  assert.notEqual(atB.source.port, a.local.port, "an opened connection comes from an ephemeral port");
  assert.equal(atB.local.port, b.local.port);

  const target: SendTarget = { ...atB.source, mayConnect: false };
  await b.transport.send(options("back"), target);
  const atA = await a.inbox.next();
  assert.match(Buffer.from(atA.bytes).toString(), /back$/);
  assert.equal(atA.source.port, b.local.port);
  assert.equal(a.transport.stats().connections, 1);
  assert.equal(b.transport.stats().connections, 1);

  await a.transport.send(options("again"), { address: "127.0.0.1", port: b.local.port });
  await b.inbox.next(2);
  assert.equal(a.transport.stats().connections, 1, "a second request reuses the open connection");
});

test("when two messages and a keep-alive arrive in one TCP segment, then both messages are delivered", async () => {
  const b = await tcp();
  const client = await rawClient(b.local.port);
  client.socket.write(Buffer.concat([options("one"), Buffer.from("\r\n\r\n"), options("two")]));
  await b.inbox.next(2);
  assert.match(Buffer.from(b.inbox.items[1]!.bytes).toString(), /two$/);
});

test("when a peer sends a CRLFCRLF ping, then it gets a single CRLF pong", async () => {
  const b = await tcp();
  const client = await rawClient(b.local.port);
  client.socket.write("\r\n\r\n");
  await waitUntil(() => client.received().length >= 2, 2000, "pong");
  assert.equal(client.received(), "\r\n");
});

test("when a connection carries nothing for longer than the idle timeout, then it is closed", async () => {
  const b = await tcp({ address: "127.0.0.1", idleTimeoutMs: 150 });
  const client = await rawClient(b.local.port);
  const started = Date.now();
  await client.closed;
  assert.ok(Date.now() - started >= 140, "not closed before the idle timeout");
  await waitUntil(() => b.transport.stats().connections === 0);
});

test("when keep-alives keep arriving, then the connection outlives the idle timeout", async () => {
  const b = await tcp({ address: "127.0.0.1", idleTimeoutMs: 400 });
  const client = await rawClient(b.local.port);
  let closed = false;
  client.closed.then(
    () => {
      closed = true;
    },
    () => {},
  );
  for (let i = 0; i < 8; i++) {
    client.socket.write("\r\n\r\n");
    await sleep(80);
  }
  assert.equal(closed, false);
});

test("when a peer trickles bytes that never complete a message, then the idle timeout closes it anyway", async () => {
  const b = await tcp({ address: "127.0.0.1", idleTimeoutMs: 200 });
  const client = await rawClient(b.local.port);
  let closed = false;
  client.closed.then(
    () => {
      closed = true;
    },
    () => {},
  );
  client.socket.write("INVITE sip:x@127.0.0.1 SIP/2.0\r\nX-Slow: ");
  for (let i = 0; i < 20 && !closed; i++) {
    client.socket.write("a");
    await sleep(40);
  }
  assert.equal(closed, true);
});

test("when a peer sends a header section without end beyond the size limit, then it is dropped and buffers stay bounded", async () => {
  const maxMessageSize = 4096;
  const b = await tcp({ address: "127.0.0.1", maxMessageSize });
  const client = await rawClient(b.local.port);
  let largest = 0;
  let closed = false;
  client.closed.then(
    () => {
      closed = true;
    },
    () => {},
  );
  client.socket.write("INVITE sip:x@127.0.0.1 SIP/2.0\r\nX-Long: ");
  for (let i = 0; i < 100 && !closed; i++) {
    client.socket.write("a".repeat(500));
    await sleep(2);
    largest = Math.max(largest, b.transport.stats().bufferedInboundBytes);
  }
  await client.closed;
  assert.ok(largest <= maxMessageSize + 4, `buffered ${largest} bytes`);
  assert.equal(b.inbox.items.length, 0);
});

test("when a message declares a body larger than the size limit, then the connection is dropped at once", async () => {
  const b = await tcp({ address: "127.0.0.1", maxMessageSize: 4096 });
  const client = await rawClient(b.local.port);
  client.socket.write("INVITE sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: 100000\r\n\r\n");
  await client.closed;
  assert.equal(b.transport.stats().connections, 0);
});

test("when bytes between messages are not a start line, then framing is lost and the connection closed", async () => {
  const b = await tcp();
  const client = await rawClient(b.local.port);
  client.socket.write(Buffer.from([0x00, 0xff, 0x16, 0x03, 0x01]));
  await client.closed;
});

test("when the peer never reads, then queued output stays under the bound and the connection is dropped", async () => {
  const maxOutboundBytes = 256 * 1024;
  const b = await tcp({ address: "127.0.0.1", maxOutboundBytes });
  const client = await rawClient(b.local.port);
  client.socket.pause();
  await waitUntil(() => b.transport.stats().connections === 1);
  const connection = await (async () => {
    client.socket.write(options("hi"));
    return (await b.inbox.next()).source;
  })();
  const big = options("x".repeat(60_000));
  let failure: unknown;
  let largest = 0;
  for (let i = 0; i < 2000 && failure === undefined; i++) {
    try {
      await b.transport.send(big, { ...connection, mayConnect: false });
    } catch (error) {
      failure = error;
    }
    largest = Math.max(largest, b.transport.stats().bufferedOutboundBytes);
  }
  assert.equal(errorCode(failure), "TRANSPORT.OUTBOUND_OVERFLOW");
  assert.ok(largest <= maxOutboundBytes, `queued ${largest} bytes`);
  assert.equal(b.transport.stats().connections, 0);
});

test("when the connection cap is reached, then further connections are refused both ways", async () => {
  const b = await tcp({ address: "127.0.0.1", maxConnections: 2 });
  const other = await tcp();
  const first = await rawClient(b.local.port);
  const second = await rawClient(b.local.port);
  await waitUntil(() => b.transport.stats().connections === 2);
  const third = await rawClient(b.local.port).catch(() => undefined);
  if (third) await third.closed;
  assert.equal(b.transport.stats().connections, 2);
  await assert.rejects(
    b.transport.send(options("out"), { address: "127.0.0.1", port: other.local.port }),
    (e) => {
      return errorCode(e) === "TRANSPORT.CONNECTION_LIMIT";
    },
  );
  first.socket.write(options("still-served"));
  await b.inbox.next();
  assert.equal(second.socket.destroyed, false);
});

test("when a response must go over a connection that is gone, then sending without connecting fails", async () => {
  const b = await tcp();
  const client = await rawClient(b.local.port);
  client.socket.write(options("x"));
  const source = (await b.inbox.next()).source;
  client.socket.destroy();
  await waitUntil(() => b.transport.stats().connections === 0);
  await assert.rejects(b.transport.send(options("late"), { ...source, mayConnect: false }), (e) => {
    return errorCode(e) === "TRANSPORT.CONNECTION_CLOSED";
  });
});

test("when nothing listens at the target, then sending fails with CONNECT_FAILED", async () => {
  const a = await tcp();
  const gone = await tcp();
  const port = gone.local.port;
  await gone.transport.close();
  await assert.rejects(a.transport.send(options("x"), { address: "127.0.0.1", port }), (e) => {
    return errorCode(e) === "TRANSPORT.CONNECT_FAILED";
  });
});

test("when two TLS transports exchange messages, then both directions arrive over one TLS connection", async () => {
  const { cert, key } = selfSignedCertificate();
  const make = async (): Promise<{
    transport: SocketTransport;
    inbox: Inbox<InboundBytes>;
    port: number;
  }> => {
    const transport = createTlsTransport(
      { address: "127.0.0.1", port: 0 },
      { server: { cert, key }, client: { ca: cert } },
    );
    open.push(transport);
    const inbox = new Inbox<InboundBytes>();
    transport.onMessage(inbox.push);
    return { transport, inbox, port: (await transport.listen()).port };
  };
  const a = await make();
  const b = await make();
  await a.transport.send(options("secret"), { address: "127.0.0.1", port: b.port });
  const atB = await b.inbox.next();
  assert.equal(atB.source.protocol, "tls");
  assert.match(Buffer.from(atB.bytes).toString(), /secret$/);
  await b.transport.send(options("reply"), { ...atB.source, mayConnect: false });
  assert.match(Buffer.from((await a.inbox.next()).bytes).toString(), /reply$/);
});

test("when a TLS peer does not trust the certificate, then no connection is made", async () => {
  const { cert, key } = selfSignedCertificate();
  const server = createTlsTransport({ address: "127.0.0.1", port: 0 }, { server: { cert, key } });
  const client = createTlsTransport({ address: "127.0.0.1", port: 0 }, { server: { cert, key } });
  open.push(server, client);
  const { port } = await server.listen();
  await client.listen();
  await assert.rejects(client.send(options("x"), { address: "127.0.0.1", port }), (e) => {
    return errorCode(e) === "TRANSPORT.CONNECT_FAILED";
  });
});

test("when TCP transports talk over IPv6, then the source address is the canonical IPv6 text", async () => {
  const a = await tcp({ address: "::1" });
  const b = await tcp({ address: "::1" });
  await a.transport.send(options("v6"), { address: "[0:0:0:0:0:0:0:1]", port: b.local.port });
  const atB = await b.inbox.next();
  assert.equal(atB.source.address, "::1");
  assert.equal(b.local.address, "::1");
});
