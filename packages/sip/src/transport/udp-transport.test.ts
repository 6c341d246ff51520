import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Inbox } from "./testing/wait.ts";
import type { InboundBytes } from "./transport.ts";
import { TransportError } from "./transport-error.ts";
import { UdpTransport } from "./udp-transport.ts";

const open: UdpTransport[] = [];
after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

async function udp(address: string) {
  const transport = new UdpTransport({ address, port: 0 });
  open.push(transport);
  const inbox = new Inbox<InboundBytes>();
  transport.onMessage(inbox.push);
  const local = await transport.listen();
  return { transport, inbox, local };
}

const message = Buffer.from("OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n");

test("when a UDP transport sends a datagram over IPv4, then the other receives it with the sender's address and port", async () => {
  const a = await udp("127.0.0.1");
  const b = await udp("127.0.0.1");
  await a.transport.send(message, { address: "127.0.0.1", port: b.local.port });
  const got = await b.inbox.next();
  assert.deepEqual(Buffer.from(got.bytes), message);
  assert.deepEqual(got.source, { protocol: "udp", address: "127.0.0.1", port: a.local.port });
  assert.deepEqual(got.local, { protocol: "udp", address: "127.0.0.1", port: b.local.port });
});

test("when a UDP transport sends over IPv6, then the source address is the canonical IPv6 text", async () => {
  const a = await udp("::1");
  const b = await udp("::1");
  await a.transport.send(message, { address: "[0:0:0:0:0:0:0:1]", port: b.local.port });
  const got = await b.inbox.next();
  assert.equal(got.source.address, "::1");
  assert.equal(got.source.port, a.local.port);
});

test("when an IPv4 peer reaches a dual-stack IPv6 socket, then its address is reported as IPv4 and answers reach it", async () => {
  const dual = await udp("::");
  const v4 = await udp("127.0.0.1");
  await v4.transport.send(message, { address: "127.0.0.1", port: dual.local.port });
  const got = await dual.inbox.next();
  assert.equal(got.source.address, "127.0.0.1");
  await dual.transport.send(message, got.source);
  await v4.inbox.next();
});

test("when a datagram holds only line breaks, then it is not delivered as a message", async () => {
  const b = await udp("127.0.0.1");
  const raw = createSocket("udp4");
  try {
    raw.send("\r\n\r\n", b.local.port, "127.0.0.1");
    raw.send(message, b.local.port, "127.0.0.1");
    await b.inbox.next();
    await sleep(20);
    assert.equal(b.inbox.items.length, 1);
  } finally {
    raw.close();
  }
});

test("when bytes exceed what a UDP datagram can carry, then send rejects with DATAGRAM_TOO_LARGE", async () => {
  const a = await udp("127.0.0.1");
  await assert.rejects(
    a.transport.send(new Uint8Array(70_000), { address: "127.0.0.1", port: 9 }),
    (e) => e instanceof TransportError && e.code === "TRANSPORT.DATAGRAM_TOO_LARGE",
  );
});

test("when an IPv4 socket is asked to reach an IPv6 address, then send rejects with NO_ROUTE", async () => {
  const a = await udp("127.0.0.1");
  await assert.rejects(
    a.transport.send(message, { address: "::1", port: 9 }),
    (e) => e instanceof TransportError && e.code === "TRANSPORT.NO_ROUTE",
  );
});

test("when the transport binds, then its receive buffer holds a burst of thousands of datagrams, as far as the kernel allows", async () => {
  const { transport } = await udp("127.0.0.1");
  let allowed = Number.POSITIVE_INFINITY;
  try {
    allowed = Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));
  } catch {
    // Not Linux: the system decides.
  }
  const granted = transport.receiveBufferSize ?? 0;
  // Linux doubles the figure asked for its bookkeeping; 4 MiB asked, or rmem_max where lower.
  assert.ok(granted >= Math.min(4 * 1024 * 1024, allowed), `granted ${granted} bytes`);
  // Without the request the kernel's default is about 200 KiB: a 50 ms pause at 4,000 datagrams a second overflows it.
  assert.ok(granted > 1024 * 1024 || allowed < 1024 * 1024);
});

test("when the UDP port is taken, then listen rejects with the system's error and a free port still listens", async () => {
  const first = await udp("127.0.0.1");
  const second = new UdpTransport({ address: "127.0.0.1", port: first.local.port });
  await assert.rejects(second.listen(), (error: NodeJS.ErrnoException) => error.code === "EADDRINUSE");
  const third = await udp("127.0.0.1");
  assert.notEqual(third.local.port, first.local.port);
});
