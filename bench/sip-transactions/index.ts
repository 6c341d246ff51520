/**
 * Memory per live transaction and transactions per second for the transaction layer of
 * @zaqros/sip.
 *
 *   node --expose-gc --import tsx bench/sip-transactions/index.ts [--count 100000] [--seconds 1]
 *
 * Memory: builds `count` parsed requests first (their Via and CSeq already parsed, as the
 * transport layer leaves them), measures the heap, then opens one live transaction per request
 * over an unreliable fake transport with the real clock (so Node's timer objects are counted)
 * and measures again. The difference divided by `count` is what a live transaction costs on
 * top of the message it holds. Figures are given for each of the four machines in their first
 * state: INVITE client (Calling: Timers A and B), non-INVITE client (Trying: E and F), INVITE
 * server (Proceeding: the 200 ms 100-Trying wait), non-INVITE server (Trying: no timer).
 *
 * Throughput: one transaction created and completed per iteration over a reliable fake
 * transport (so Timers D, I, J and K are zero and the transaction ends at once), messages
 * prebuilt; best of five rounds.
 */
import { systemClock } from "../../packages/sip/src/clock.ts";
import { createResponse } from "../../packages/sip/src/message/create-response.ts";
import { parseMessage } from "../../packages/sip/src/message/parse-message.ts";
import type { SipMessage, SipRequest, SipResponse } from "../../packages/sip/src/message/types.ts";
import { TransactionLayer } from "../../packages/sip/src/transaction/transaction-layer.ts";
import type { TransactionTransport } from "../../packages/sip/src/transaction/transaction-transport.ts";
import type {
  ClientTransactionUser,
  TransactionUser,
} from "../../packages/sip/src/transaction/transaction-user.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("run with: node --expose-gc --import tsx bench/sip-transactions/index.ts");
  process.exit(1);
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const count = argument("count", 100_000);
const seconds = argument("seconds", 1);

const sdp =
  "v=0\r\no=alice 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\n";
const encoder = new TextEncoder();

function request(method: string, n: number, transactionMethod = method): SipRequest {
  const body = method === "INVITE" ? sdp : "";
  const text = [
    `${method} sip:+15551234567@sip.example.com;user=phone SIP/2.0`,
    `Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK${n.toString(36)}x${transactionMethod};rport`,
    "Max-Forwards: 70",
    "To: <sip:+15551234567@sip.example.com;user=phone>",
    `From: "Alice" <sip:alice@sip.example.com>;tag=${n.toString(36)}`,
    `Call-ID: ${n.toString(36)}-a84b4c76e66710@pc33.example.com`,
    `CSeq: 1 ${method}`,
    "Contact: <sip:alice@198.51.100.7:5060>",
    ...(body ? ["Content-Type: application/sdp"] : []),
    `Content-Length: ${body.length}`,
    "",
    body,
  ].join("\r\n");
  const message = parseMessage(encoder.encode(text)) as SipRequest;
  message.headers.via();
  message.headers.cseq();
  return message;
}

const silentUser: TransactionUser & ClientTransactionUser = {
  receiveResponse() {},
  onRequest() {},
  onAck() {},
};

function fakeTransport(reliable: boolean): TransactionTransport {
  return { reliable, send(_message: SipMessage) {} };
}

function heapUsed(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

type Kind = "INVITE client" | "non-INVITE client" | "INVITE server" | "non-INVITE server";

function measureMemory(kind: Kind): { perTransaction: number; perMessage: number } {
  const method = kind.startsWith("INVITE") ? "INVITE" : "OPTIONS";
  const before = heapUsed();
  const requests: SipRequest[] = [];
  for (let i = 0; i < count; i++) requests.push(request(method, i));
  const withMessages = heapUsed();
  const layer = new TransactionLayer({ clock: systemClock, user: silentUser });
  const transport = fakeTransport(false);
  for (const r of requests) {
    if (kind.endsWith("client")) layer.sendRequest(r, transport, silentUser);
    else layer.receiveRequest(r, transport);
  }
  const withTransactions = heapUsed();
  const live = kind.endsWith("client") ? layer.clientTransactionCount : layer.serverTransactionCount;
  if (live !== count) throw new Error(`expected ${count} live transactions, found ${live}`);
  layer.close();
  requests.length = 0;
  return {
    perTransaction: (withTransactions - withMessages) / count,
    perMessage: (withMessages - before) / count,
  };
}

interface Workload {
  requests: SipRequest[];
  finals: SipResponse[];
  acks: SipRequest[];
}

function workload(method: string, size: number): Workload {
  const requests: SipRequest[] = [];
  const finals: SipResponse[] = [];
  const acks: SipRequest[] = [];
  for (let i = 0; i < size; i++) {
    const r = request(method, i);
    requests.push(r);
    const status = method === "INVITE" ? 486 : 200;
    const response = createResponse(r, status, undefined, { toTag: "bench" });
    response.headers.via();
    response.headers.cseq();
    finals.push(response);
    if (method === "INVITE") {
      const ack = request("ACK", i, "INVITE");
      acks.push(ack);
    }
  }
  return { requests, finals, acks };
}

function measureRate(kind: Kind): number {
  const method = kind.startsWith("INVITE") ? "INVITE" : "OPTIONS";
  const batch = 20_000;
  const work = workload(method, batch);
  const transport = fakeTransport(true);
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const layer = new TransactionLayer({ clock: systemClock, user: silentUser });
    let done = 0;
    const start = performance.now();
    const deadline = start + seconds * 1000;
    while (performance.now() < deadline) {
      for (let i = 0; i < batch; i++) {
        const r = work.requests[i]!;
        if (kind.endsWith("client")) {
          layer.sendRequest(r, transport, silentUser);
          layer.receiveResponse(work.finals[i]!);
        } else {
          const tx = layer.receiveRequest(r, transport)!;
          tx.respond(work.finals[i]!);
          if (method === "INVITE") layer.receiveRequest(work.acks[i]!, transport);
        }
      }
      done += batch;
    }
    const elapsed = (performance.now() - start) / 1000;
    if (layer.clientTransactionCount + layer.serverTransactionCount !== 0)
      throw new Error("transactions left alive");
    best = Math.max(best, done / elapsed);
  }
  return best;
}

const kinds: Kind[] = ["INVITE client", "non-INVITE client", "INVITE server", "non-INVITE server"];
console.log(`node ${process.version}, ${count.toLocaleString("en")} live transactions per kind\n`);
console.log("memory per live transaction (UDP, real timers; the parsed request itself not included)");
for (const kind of kinds) {
  const { perTransaction, perMessage } = measureMemory(kind);
  console.log(
    `  ${kind.padEnd(18)} ${perTransaction.toFixed(0).padStart(6)} bytes   (the request it holds: ${perMessage.toFixed(0)} bytes)`,
  );
}
console.log("\ntransactions created and completed per second (TCP, one core, best of 5)");
for (const kind of kinds) {
  console.log(`  ${kind.padEnd(18)} ${Math.round(measureRate(kind)).toLocaleString("en").padStart(10)} /s`);
}
process.exit(0);
