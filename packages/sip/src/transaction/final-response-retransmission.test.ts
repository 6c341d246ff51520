import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createResponse } from "../message/create-response.ts";
import type { SipRequest } from "../message/types.ts";
import { Inbox } from "../transport/testing/wait.ts";
import { TransportLayer } from "../transport/transport-layer.ts";
import { UdpTransport } from "../transport/udp-transport.ts";
import type { ServerTransaction } from "./server-transaction.ts";
import { TransactionLayer } from "./transaction-layer.ts";

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * A server over real UDP on loopback, wired as the stack wires it: the transport layer parses
 * and stamps, the transaction layer gets each request with the flow that answers it. `answer`
 * decides the response to each new request.
 */
async function server(answer: (request: SipRequest) => number, t1 = 500) {
  const transports = new TransportLayer({
    transports: [new UdpTransport({ address: "127.0.0.1", port: 0 })],
  });
  const requests: SipRequest[] = [];
  const transactions = new TransactionLayer({
    timers: { t1 },
    user: {
      onRequest(request: SipRequest, transaction: ServerTransaction) {
        requests.push(request);
        transaction.respond(
          createResponse(request, answer(request), undefined, {
            toTag: `t${requests.length}`,
            headers: [["Contact", "<sip:registrar@127.0.0.1>;expires=3600"]],
          }),
        );
      },
      onAck() {},
    },
  });
  transports.onMessage(({ message, source, local }) => {
    if (message.kind === "request")
      transactions.receiveRequest(message, transports.responseFlow({ source, local }));
  });
  cleanups.push(() => transports.close());
  cleanups.push(() => transactions.close());
  const [local] = await transports.listen();
  return { port: local!.port, requests };
}

/** A peer with its own UDP socket, which sees exactly the bytes the server sends. */
async function peer() {
  const socket = createSocket("udp4");
  cleanups.push(() => socket.close());
  const inbox = new Inbox<Buffer>();
  socket.on("message", (bytes) => inbox.push(bytes));
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  return {
    port: socket.address().port,
    inbox,
    send: (text: string, port: number) => socket.send(Buffer.from(text, "latin1"), port, "127.0.0.1"),
  };
}

/** A request whose Via sent-by is not its source, so responses go by received and rport (RFC 3581). */
function request(method: string, options: { branch: string; sentBy?: string }): string {
  const body = method === "INVITE" ? "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nt=0 0\r\n" : "";
  return [
    `${method} sip:registrar.example.com SIP/2.0`,
    `Via: SIP/2.0/UDP ${options.sentBy ?? "192.0.2.9:5062"};branch=${options.branch};rport`,
    "Max-Forwards: 70",
    `To: <sip:alice@registrar.example.com>${method === "ACK" ? ";tag=t1" : ""}`,
    "From: <sip:alice@registrar.example.com>;tag=f1",
    `Call-ID: ${options.branch}@192.0.2.9`,
    `CSeq: 1 ${method}`,
    "Contact: <sip:alice@192.0.2.9:5062>",
    ...(body ? ["Content-Type: application/sdp"] : []),
    `Content-Length: ${body.length}`,
    "",
    body,
  ].join("\r\n");
}

describe("final responses sent again by a server transaction (RFC 3261 §17.2.1, §17.2.2)", () => {
  test("when a REGISTER is retransmitted after its 200, then the peer receives the same bytes again, at the port in rport", async () => {
    const { port, requests } = await server(() => 200);
    const alice = await peer();
    const register = request("REGISTER", { branch: "z9hG4bKreg1" });

    alice.send(register, port);
    const first = await alice.inbox.next(1);
    alice.send(register, port);
    const second = await alice.inbox.next(2);

    assert.equal(requests.length, 1);
    assert.match(first.toString("latin1"), /^SIP\/2\.0 200 OK\r\n/);
    assert.match(first.toString("latin1"), new RegExp(`;rport=${alice.port};received=127\\.0\\.0\\.1\\r\\n`));
    assert.deepEqual(second, first);
  });

  test("when an INVITE answered 486 is retransmitted, then Timer G and the retransmission both resend the same bytes, until the ACK", async () => {
    const { port } = await server(() => 486, 40);
    const alice = await peer();
    const invite = request("INVITE", { branch: "z9hG4bKinv1" });

    alice.send(invite, port);
    const first = await alice.inbox.next(1);
    const byTimerG = await alice.inbox.next(2);
    alice.send(invite, port);
    await alice.inbox.next(3);
    alice.send(request("ACK", { branch: "z9hG4bKinv1" }), port);
    await sleep(200);
    const after = alice.inbox.items.length;
    await sleep(200);

    assert.match(first.toString("latin1"), /^SIP\/2\.0 486 Busy Here\r\n/);
    assert.deepEqual(byTimerG, first);
    for (const resent of alice.inbox.items) assert.deepEqual(resent, first);
    assert.equal(alice.inbox.items.length, after, "nothing is resent once the ACK arrived");
  });

  test("when a request with the same branch but another sent-by arrives after the final response, then it is a new request, not a retransmission (§17.2.3 rule 2)", async () => {
    const { port, requests } = await server((r) => (r.headers.via()[0]?.host === "192.0.2.9" ? 200 : 403));
    const alice = await peer();

    alice.send(request("REGISTER", { branch: "z9hG4bKsame" }), port);
    await alice.inbox.next(1);
    alice.send(request("REGISTER", { branch: "z9hG4bKsame", sentBy: "192.0.2.10:5062" }), port);
    const other = await alice.inbox.next(2);
    alice.send(request("REGISTER", { branch: "z9hG4bKsame", sentBy: "192.0.2.9:5070" }), port);
    const otherPort = await alice.inbox.next(3);

    assert.equal(requests.length, 3);
    assert.match(other.toString("latin1"), /^SIP\/2\.0 403 Forbidden\r\n/);
    assert.match(otherPort.toString("latin1"), /^SIP\/2\.0 200 OK\r\n/);
    assert.match(otherPort.toString("latin1"), /;tag=t3\r\n/);
  });
});
