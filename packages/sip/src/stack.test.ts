import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { after, describe, test } from "node:test";
import { FakeClock } from "./clock.ts";
import { Dialog } from "./dialog/dialog.ts";
import { DialogTable } from "./dialog/dialog-table.ts";
import { parseNameAddr } from "./grammar/name-addr.ts";
import { formatUri } from "./grammar/uri.ts";
import { createRequest } from "./message/create-request.ts";
import { createResponse } from "./message/create-response.ts";
import { parseMessage } from "./message/parse-message.ts";
import type { SipRequest, SipResponse } from "./message/types.ts";
import { SipStack, type SipStackDelegate, type SipStackDiscard, type SipStackOptions } from "./stack.ts";
import type { ServerTransaction } from "./transaction/server-transaction.ts";
import type { ClientTransactionUser } from "./transaction/transaction-user.ts";
import { Inbox, waitUntil } from "./transport/testing/wait.ts";
import type {
  InboundHandler,
  LocalEndpoint,
  SendTarget,
  Transport,
  TransportProtocol,
} from "./transport/transport.ts";
import type { ReceivedFrom } from "./transport/transport-layer.ts";

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

type Answer = (request: SipRequest, transaction: ServerTransaction, origin: ReceivedFrom) => void;

/** A delegate that records what the stack tells it and answers requests as the test says. */
class RecordingDelegate implements SipStackDelegate {
  readonly requests = new Inbox<{
    request: SipRequest;
    transaction: ServerTransaction;
    origin: ReceivedFrom;
  }>();
  readonly acks = new Inbox<{ ack: SipRequest; origin: ReceivedFrom }>();
  readonly cancels = new Inbox<{ cancel: SipRequest; cancelled: ServerTransaction }>();
  readonly strays = new Inbox<SipResponse>();
  readonly unacknowledged = new Inbox<SipResponse>();
  readonly discards = new Inbox<SipStackDiscard>();
  answer: Answer | undefined;
  stateless: ((request: SipRequest) => SipResponse | undefined) | undefined;

  answerStatelessly(request: SipRequest): SipResponse | undefined {
    return this.stateless?.(request);
  }
  onRequest(request: SipRequest, transaction: ServerTransaction, origin: ReceivedFrom): void {
    this.requests.push({ request, transaction, origin });
    this.answer?.(request, transaction, origin);
  }
  onAck(ack: SipRequest, origin: ReceivedFrom): void {
    this.acks.push({ ack, origin });
  }
  onCancel(cancel: SipRequest, cancelled: ServerTransaction): void {
    this.cancels.push({ cancel, cancelled });
  }
  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }
  onUnacknowledged(response: SipResponse): void {
    this.unacknowledged.push(response);
  }
  onDiscard(discard: SipStackDiscard): void {
    this.discards.push(discard);
  }
}

/** A client transaction user that collects responses. */
class Responses implements ClientTransactionUser {
  readonly inbox = new Inbox<SipResponse>();
  readonly receiveResponse = (response: SipResponse): void => this.inbox.push(response);
  statuses(): number[] {
    return this.inbox.items.map((r) => r.status);
  }
}

async function startStack(protocol: "udp" | "tcp", options: Partial<SipStackOptions> = {}) {
  const delegate = new RecordingDelegate();
  const stack = new SipStack({
    transports: [
      protocol === "udp"
        ? { protocol: "udp", address: "127.0.0.1", port: 0 }
        : { protocol: "tcp", address: "127.0.0.1", port: 0 },
    ],
    delegate,
    ...options,
  });
  cleanups.push(() => stack.close());
  const [local] = await stack.listen();
  assert.ok(local);
  return { stack, delegate, local };
}

function request(method: string, to: LocalEndpoint, callId?: string): SipRequest {
  return createRequest({
    method,
    uri: `sip:bob@${to.address}:${to.port}`,
    from: parseNameAddr("<sip:alice@example.com>"),
    to: parseNameAddr("<sip:bob@example.com>"),
    ...(callId ? { callId } : {}),
    contact: parseNameAddr("<sip:alice@127.0.0.1>"),
  });
}

/** The ACK for a 2xx, built as a UAC core would (RFC 3261 §13.2.2.4). */
function ackFor(invite: SipRequest, ok: SipResponse): SipRequest {
  return createRequest({
    method: "ACK",
    uri: invite.uri,
    from: invite.headers.from(),
    to: ok.headers.to(),
    callId: invite.headers.callId(),
    cseq: invite.headers.cseq().seq,
  });
}

const target = (local: LocalEndpoint) => ({
  protocol: local.protocol,
  host: local.address,
  port: local.port,
});

describe("two stacks over loopback", () => {
  for (const protocol of ["udp", "tcp"] as const) {
    test(`when one stack sends OPTIONS to another over ${protocol}, then the server sees this stack's Via with branch and rport filled in, and the client gets the 200`, async () => {
      const a = await startStack(protocol);
      const b = await startStack(protocol);
      b.delegate.answer = (req, tx) => b.stack.respond(tx, createResponse(req, 200));
      const user = new Responses();
      a.stack.sendRequest(request("OPTIONS", b.local), target(b.local), user);

      const ok = await user.inbox.next();
      assert.equal(ok.status, 200);
      const { request: received, origin } = await b.delegate.requests.next();
      const via = received.headers.topVia()!;
      assert.equal(via.transport, protocol.toUpperCase());
      assert.equal(`${via.host}:${via.port}`, `127.0.0.1:${a.local.port}`);
      assert.match(String(via.params.get("branch")), /^z9hG4bK/);
      assert.equal(via.params.get("rport"), String(origin.source.port));
      assert.equal(origin.source.protocol, protocol);
      if (protocol === "udp") assert.equal(origin.source.port, a.local.port);
    });
  }

  test("when the stack advertises a host name, then Via sent-by carries it and responses still come back by received/rport", async () => {
    const a = await startStack("udp", { advertisedHost: "pbx.example.test" });
    const b = await startStack("udp");
    b.delegate.answer = (req, tx) => b.stack.respond(tx, createResponse(req, 200));
    const user = new Responses();
    a.stack.sendRequest(request("OPTIONS", b.local), target(b.local), user);
    assert.equal((await user.inbox.next()).status, 200);
    const via = (await b.delegate.requests.next()).request.headers.topVia()!;
    assert.equal(`${via.host}:${via.port}`, `pbx.example.test:${a.local.port}`);
    assert.equal(via.params.get("received"), "127.0.0.1");
    assert.deepEqual(a.stack.sentBy("udp"), { host: "pbx.example.test", port: a.local.port });
  });

  test("when a call is set up over TCP with the dialog layer on both sides, then 180 and 200 reach the caller, the 2xx's ACK reaches the callee in its dialog, and BYE ends it", async () => {
    const a = await startStack("tcp");
    const b = await startStack("tcp");
    const calleeDialogs = new DialogTable();
    b.delegate.answer = (req, tx) => {
      if (req.method === "INVITE") {
        const contact: Array<[string, string]> = [
          ["Contact", `<sip:bob@127.0.0.1:${b.local.port};transport=tcp>`],
        ];
        for (const status of [180, 200]) {
          const response = createResponse(req, status, undefined, { toTag: "callee", headers: contact });
          b.stack.respond(tx, response);
          calleeDialogs.receiveUasResponse(req, response);
        }
      } else if (req.method === "BYE") {
        const dialog = calleeDialogs.matchRequest(req);
        if (dialog !== undefined) calleeDialogs.remove(dialog);
        b.stack.respond(tx, createResponse(req, dialog === undefined ? 481 : 200));
      }
    };
    const invite = request("INVITE", b.local);
    const callUser = new Responses();
    a.stack.sendRequest(invite, target(b.local), callUser);
    const ok = await callUser.inbox.next(2);
    assert.deepEqual(callUser.statuses(), [180, 200]);
    const dialog = Dialog.createUac(invite, ok);
    assert.equal(formatUri(dialog.remoteTarget), `sip:bob@127.0.0.1:${b.local.port};transport=tcp`);

    await a.stack.sendAck(dialog.createAck(invite), target(b.local));
    const { ack } = await b.delegate.acks.next();
    assert.equal(calleeDialogs.matchRequest(ack)?.state, "confirmed");

    const byeUser = new Responses();
    a.stack.sendRequest(dialog.createBye(), target(b.local), byeUser);
    assert.equal((await byeUser.inbox.next()).status, 200);
    assert.equal(calleeDialogs.size, 0);
  });

  test("when the caller cancels a ringing INVITE, then the callee hears of it, the CANCEL gets 200, the INVITE 487, and the 487's ACK is absorbed", async () => {
    const a = await startStack("udp");
    const b = await startStack("udp");
    b.delegate.answer = (req, tx) => {
      if (req.method === "INVITE") b.stack.respond(tx, createResponse(req, 180));
    };
    const inviteUser = new Responses();
    const invite = a.stack.sendRequest(request("INVITE", b.local), target(b.local), inviteUser);
    await inviteUser.inbox.next();
    assert.equal(invite.kind, "invite-client");
    if (invite.kind !== "invite-client") return;

    const cancelUser = new Responses();
    assert.equal(a.stack.cancel(invite, cancelUser), "sent");
    assert.equal((await cancelUser.inbox.next()).status, 200);
    assert.equal((await inviteUser.inbox.next(2)).status, 487);
    const { cancelled } = await b.delegate.cancels.next();
    assert.equal(cancelled.request.headers.callId(), invite.request.headers.callId());
    await waitUntil(() => cancelled.state === "confirmed", 2000, "the 487's ACK");
    assert.equal(b.delegate.acks.items.length, 0);
  });

  test("when the delegate throws, then the request is answered 500 and the failure is reported", async () => {
    const a = await startStack("udp");
    const b = await startStack("udp");
    b.delegate.answer = () => {
      throw new Error("boom");
    };
    const user = new Responses();
    a.stack.sendRequest(request("OPTIONS", b.local), target(b.local), user);
    assert.equal((await user.inbox.next()).status, 500);
    const discard = await b.delegate.discards.next();
    assert.equal(discard.reason, "delegate-failed");
  });

  test("when a request names a method the element does not serve, then the stack answers 405 with Allow, or 501 for a method it does not know", async () => {
    const a = await startStack("udp");
    const b = await startStack("udp", {
      requestChecks: { allowedMethods: ["INVITE", "ACK", "BYE", "OPTIONS"] },
    });
    const subscribe = new Responses();
    a.stack.sendRequest(request("SUBSCRIBE", b.local), target(b.local), subscribe);
    const refused = await subscribe.inbox.next();
    assert.equal(refused.status, 405);
    assert.equal(refused.headers.first("allow"), "INVITE, ACK, BYE, OPTIONS");
    const unknown = new Responses();
    a.stack.sendRequest(request("FROBNICATE", b.local), target(b.local), unknown);
    assert.equal((await unknown.inbox.next()).status, 501);
    assert.equal(b.delegate.requests.items.length, 0);
  });
});

describe("what arrives from outside", () => {
  async function rawUdpPeer() {
    const socket = createSocket("udp4");
    cleanups.push(() => socket.close());
    const inbox = new Inbox<string>();
    socket.on("message", (bytes) => inbox.push(bytes.toString("latin1")));
    socket.bind(0, "127.0.0.1");
    await once(socket, "listening");
    return { socket, port: socket.address().port, inbox };
  }

  test("when a request lacks a Call-ID, then it is answered 400 without a transaction and the delegate never sees it", async () => {
    const b = await startStack("udp");
    const peer = await rawUdpPeer();
    const text = [
      `OPTIONS sip:bob@127.0.0.1:${b.local.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKnocallid`,
      "Max-Forwards: 70",
      "From: <sip:alice@example.com>;tag=1",
      "To: <sip:bob@example.com>",
      "CSeq: 1 OPTIONS",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    peer.socket.send(text, b.local.port, "127.0.0.1");
    const answer = parseMessage(Buffer.from(await peer.inbox.next(), "latin1"));
    assert.equal(answer.kind, "response");
    if (answer.kind !== "response") return;
    assert.equal(answer.status, 400);
    assert.equal(answer.reason, "Missing Required Header Fields");
    assert.equal(b.delegate.requests.items.length, 0);
    assert.equal(b.stack.transactionLayer.serverTransactionCount, 0);
  });

  test("when the delegate answers a request statelessly, then each copy gets the answer, no transaction is kept, and the request with credentials gets one", async () => {
    const b = await startStack("udp");
    b.delegate.stateless = (request) =>
      request.headers.has("proxy-authorization")
        ? undefined
        : createResponse(request, 407, "Proxy Authentication Required", {
            headers: [["Proxy-Authenticate", 'Digest realm="example.com", nonce="n1"']],
          });
    b.delegate.answer = (request, transaction) =>
      void b.stack.respond(transaction, createResponse(request, 486));
    const peer = await rawUdpPeer();
    const invite = (branch: string, extra: string[]) =>
      [
        `INVITE sip:bob@127.0.0.1:${b.local.port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${branch}`,
        "Max-Forwards: 70",
        "From: <sip:alice@example.com>;tag=1",
        "To: <sip:bob@example.com>",
        "Call-ID: stateless-challenge",
        `CSeq: ${extra.length === 0 ? 1 : 2} INVITE`,
        ...extra,
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
    let answers = 0;
    const read = async () => {
      const answer = parseMessage(Buffer.from(await peer.inbox.next(++answers), "latin1"));
      assert.equal(answer.kind, "response");
      return answer as SipResponse;
    };
    peer.socket.send(invite("z9hG4bKfirst", []), b.local.port, "127.0.0.1");
    const first = await read();
    assert.equal(first.status, 407);
    assert.match(first.headers.first("proxy-authenticate") ?? "", /nonce="n1"/);
    assert.equal(b.stack.transactionLayer.serverTransactionCount, 0, "nothing kept for the challenge");
    // A retransmission is answered again (RFC 3261 §8.2.7: a stateless UAS does not retransmit).
    peer.socket.send(invite("z9hG4bKfirst", []), b.local.port, "127.0.0.1");
    assert.equal((await read()).status, 407);
    assert.equal(b.delegate.requests.items.length, 0);

    peer.socket.send(
      invite("z9hG4bKsecond", ['Proxy-Authorization: Digest username="alice", realm="example.com"']),
      b.local.port,
      "127.0.0.1",
    );
    assert.equal((await read()).status, 486);
    assert.equal(b.delegate.requests.items.length, 1, "the request with credentials reached onRequest");
    assert.equal(b.stack.transactionLayer.serverTransactionCount, 1, "and has its transaction");
  });

  test("when a request's response cannot be prepared (unknown Via transport) and a CANCEL follows, then the CANCEL is still handled, not left failing", async () => {
    const b = await startStack("udp");
    b.delegate.answer = (request, transaction) =>
      void b.stack.respond(transaction, createResponse(request, 401));
    const peer = await rawUdpPeer();
    const lines = (method: string) =>
      [
        `${method} sip:bob@127.0.0.1:${b.local.port} SIP/2.0`,
        `Via: SIP/2.0/SCTP 127.0.0.1:${peer.port};branch=z9hG4bKsctp`,
        "Max-Forwards: 70",
        "From: <sip:alice@example.com>;tag=1",
        "To: <sip:bob@example.com>",
        "Call-ID: unknown-transport",
        `CSeq: 1 ${method}`,
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
    peer.socket.send(lines("REGISTER"), b.local.port, "127.0.0.1");
    await b.delegate.requests.next();
    peer.socket.send(lines("CANCEL"), b.local.port, "127.0.0.1");
    await waitUntil(
      () => b.stack.transactionLayer.serverTransactionCount === 2,
      2000,
      "the CANCEL's transaction",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const failures = b.delegate.discards.items.filter((d) => d.reason === "delegate-failed");
    assert.deepEqual(failures, [], "answering the CANCEL threw");
  });

  test("when a response carries a Via this stack did not write, then it is discarded (RFC 3261 §18.1.2)", async () => {
    const a = await startStack("udp");
    const peer = await rawUdpPeer();
    const text = [
      "SIP/2.0 200 OK",
      `Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKforeign`,
      "From: <sip:alice@example.com>;tag=1",
      "To: <sip:bob@example.com>;tag=2",
      "Call-ID: foreign",
      "CSeq: 1 OPTIONS",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    peer.socket.send(text, a.local.port, "127.0.0.1");
    const discard = await a.delegate.discards.next();
    assert.equal(discard.reason, "response-not-ours");
    assert.equal(a.delegate.strays.items.length, 0);
  });

  test("when the stack is closed, then its ports are free again and it refuses to send", async () => {
    const { stack, local } = await startStack("udp");
    await stack.close();
    assert.throws(
      () => stack.sendRequest(request("OPTIONS", local), target(local), new Responses()),
      /closed/,
    );
    const again = new SipStack({
      transports: [{ protocol: "udp", address: "127.0.0.1", port: local.port }],
      delegate: new RecordingDelegate(),
    });
    const [rebound] = await again.listen();
    assert.equal(rebound?.port, local.port);
    await again.close();
  });
});

/** Datagrams between in-memory transports, delivered on the next microtask. */
class MemoryNetwork {
  readonly #hosts = new Map<string, MemoryTransport>();

  attach(transport: MemoryTransport): void {
    this.#hosts.set(`${transport.local!.address}:${transport.local!.port}`, transport);
  }

  detach(transport: MemoryTransport): void {
    if (transport.local) this.#hosts.delete(`${transport.local.address}:${transport.local.port}`);
  }

  deliver(bytes: Uint8Array, from: LocalEndpoint, to: SendTarget): void {
    const peer = this.#hosts.get(`${to.address}:${to.port}`);
    queueMicrotask(() => peer?.receive(bytes, from));
  }
}

/** A UDP-like transport on a {@link MemoryNetwork}; records every datagram with the clock reading. */
class MemoryTransport implements Transport {
  readonly protocol: TransportProtocol = "udp";
  readonly reliable = false;
  readonly sent: Array<{ at: number; text: string }> = [];
  local: LocalEndpoint | undefined;
  #handler: InboundHandler | undefined;

  constructor(
    readonly network: MemoryNetwork,
    readonly clock: FakeClock,
    readonly address: string,
  ) {}

  async listen(): Promise<LocalEndpoint> {
    this.local = { protocol: "udp", address: this.address, port: 5060 };
    this.network.attach(this);
    return this.local;
  }

  async send(bytes: Uint8Array, target: SendTarget): Promise<void> {
    this.sent.push({ at: this.clock.now(), text: Buffer.from(bytes).toString("latin1") });
    this.network.deliver(bytes, this.local!, target);
  }

  async close(): Promise<void> {
    this.network.detach(this);
  }

  onMessage(handler: InboundHandler): void {
    this.#handler = handler;
  }

  receive(bytes: Uint8Array, from: LocalEndpoint): void {
    if (this.local) this.#handler?.({ bytes, source: { ...from }, local: this.local });
  }

  /** Clock readings at which responses with that status were sent. */
  responseTimes(status: number): number[] {
    return this.sent.filter((s) => s.text.startsWith(`SIP/2.0 ${status} `)).map((s) => s.at);
  }

  requestTimes(method: string): number[] {
    return this.sent.filter((s) => s.text.startsWith(`${method} `)).map((s) => s.at);
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Fires every timer due up to `until`, one instant at a time, letting sends complete in between. */
async function runClock(clock: FakeClock, until: number): Promise<void> {
  await settle();
  for (;;) {
    const next = clock.nextDue();
    if (next === undefined || next > until) break;
    clock.advance(next - clock.now());
    await settle();
  }
  clock.advance(until - clock.now());
  await settle();
}

async function memoryStacks(options: Partial<SipStackOptions> = {}) {
  const clock = new FakeClock();
  const network = new MemoryNetwork();
  const make = async (address: string) => {
    const transport = new MemoryTransport(network, clock, address);
    const delegate = new RecordingDelegate();
    const stack = new SipStack({ transports: [transport], delegate, clock, ...options });
    const [local] = await stack.listen();
    cleanups.push(() => stack.close());
    return { stack, delegate, transport, local: local! };
  };
  return { clock, network, a: await make("10.0.0.1"), b: await make("10.0.0.2") };
}

describe("timing, on a fake clock", () => {
  test("when a UDP peer never answers an OPTIONS, then it is resent at T1 doubling up to T2 and the user gets 408 at 64*T1 (T1 and T2 from the options)", async () => {
    const { clock, a } = await memoryStacks({ timers: { t1: 100, t2: 400 } });
    const user = new Responses();
    a.stack.sendRequest(
      request("OPTIONS", { protocol: "udp", address: "10.0.0.99", port: 5060 }),
      {
        protocol: "udp",
        host: "10.0.0.99",
        port: 5060,
      },
      user,
    );
    await runClock(clock, 6399);
    assert.deepEqual(
      a.transport.requestTimes("OPTIONS"),
      [0, 100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900, 4300, 4700, 5100, 5500, 5900, 6300],
    );
    assert.deepEqual(user.statuses(), []);
    await runClock(clock, 6400);
    assert.deepEqual(user.statuses(), [408]);
  });

  test("when the delegate has not answered an INVITE within 200 ms, then the caller receives 100 Trying, and not before", async () => {
    const { clock, a, b } = await memoryStacks();
    const user = new Responses();
    a.stack.sendRequest(request("INVITE", b.local), target(b.local), user);
    await runClock(clock, 199);
    assert.equal(b.delegate.requests.items.length, 1);
    assert.deepEqual(user.statuses(), []);
    await runClock(clock, 200);
    assert.deepEqual(user.statuses(), [100]);
  });

  test("when a 2xx to an INVITE is never acknowledged, then it is resent at T1 doubling up to T2 and the delegate hears of it at 64*T1", async () => {
    const { clock, a, b } = await memoryStacks();
    b.delegate.answer = (req, tx) => b.stack.respond(tx, createResponse(req, 200));
    a.stack.sendRequest(request("INVITE", b.local), target(b.local), new Responses());
    await runClock(clock, 31_999);
    assert.deepEqual(
      b.transport.responseTimes(200),
      [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500],
    );
    assert.equal(b.delegate.unacknowledged.items.length, 0);
    await runClock(clock, 40_000);
    assert.equal(b.delegate.unacknowledged.items.length, 1);
    assert.equal(b.transport.responseTimes(200).length, 11);
  });

  test("when the ACK for a 2xx arrives, then the 2xx is not resent and the delegate gets the ACK once", async () => {
    const { clock, a, b } = await memoryStacks();
    b.delegate.answer = (req, tx) => b.stack.respond(tx, createResponse(req, 200));
    const invite = request("INVITE", b.local);
    const user = new Responses();
    a.stack.sendRequest(invite, target(b.local), user);
    await runClock(clock, 0);
    const ok = user.inbox.items[0]!;
    const serverSide = b.delegate.requests.items[0]!.transaction;
    assert.equal(serverSide.request.method, "INVITE", "held while the 2xx may go unacknowledged");
    await a.stack.sendAck(ackFor(invite, ok), target(b.local));
    await runClock(clock, 1);
    assert.throws(() => serverSide.request, TypeError, "let go once acknowledged, not held for Timer L");
    await runClock(clock, 40_000);
    assert.deepEqual(b.transport.responseTimes(200), [0]);
    assert.equal(b.delegate.acks.items.length, 1);
    assert.equal(b.delegate.unacknowledged.items.length, 0);
  });

  test("when the same ACK object is sent twice (for a resent 2xx), then both copies carry the same Via branch", async () => {
    const { clock, a, b } = await memoryStacks();
    b.delegate.answer = (req, tx) => b.stack.respond(tx, createResponse(req, 200));
    const invite = request("INVITE", b.local);
    const user = new Responses();
    a.stack.sendRequest(invite, target(b.local), user);
    await runClock(clock, 0);
    const ack = ackFor(invite, user.inbox.items[0]!);
    await a.stack.sendAck(ack, target(b.local));
    await a.stack.sendAck(ack, target(b.local));
    await runClock(clock, 1);
    const branches = b.delegate.acks.items.map(({ ack }) => ack.headers.topVia()?.params.get("branch"));
    assert.equal(branches.length, 2);
    assert.equal(branches[0], branches[1]);
    assert.notEqual(branches[0], invite.headers.topVia()?.params.get("branch"));
  });
});
