/**
 * Heap a server transaction keeps once it has sent its final response and only absorbs
 * retransmissions: a REGISTER answered 200 (non-INVITE Completed, Timer J), an INVITE answered
 * 486 (Completed, Timers G and H) and the same INVITE once ACKed (Confirmed, Timer I).
 *
 *   node --expose-gc --import tsx bench/sip-transactions/completed.ts [--count 100000]
 *
 * Each request arrives as datagram bytes through the real transport layer (parsed, Via
 * stamped with received/rport) and reaches the transaction layer over the flow the stack would
 * give it; a user answers at once and keeps nothing. The transport below is a fake UDP socket
 * that drops what it is given. With the real clock and UDP, every transaction stays alive on
 * its timer, so the heap after a full collection, minus the heap before, divided by `count`, is
 * what one completed transaction retains: the parsed messages it holds, its timer, its entry in
 * the transaction table. `arrayBuffers` counts the bytes outside the heap (serialized messages).
 */
import { systemClock } from "../../packages/sip/src/clock.ts";
import { createResponse } from "../../packages/sip/src/message/create-response.ts";
import type { SipRequest } from "../../packages/sip/src/message/types.ts";
import type { ServerTransaction } from "../../packages/sip/src/transaction/server-transaction.ts";
import { TransactionLayer } from "../../packages/sip/src/transaction/transaction-layer.ts";
import type { TransactionUser } from "../../packages/sip/src/transaction/transaction-user.ts";
import type { InboundHandler, LocalEndpoint, Transport } from "../../packages/sip/src/transport/transport.ts";
import { TransportLayer } from "../../packages/sip/src/transport/transport-layer.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("run with: node --expose-gc --import tsx bench/sip-transactions/completed.ts");
  process.exit(1);
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const count = argument("count", 100_000);

const local: LocalEndpoint = { protocol: "udp", address: "203.0.113.1", port: 5060 };

/** A UDP socket that is never opened: sends succeed and go nowhere. */
class SilentUdp implements Transport {
  readonly protocol = "udp";
  readonly reliable = false;
  readonly local = local;
  handler: InboundHandler | undefined;
  sent = 0;
  async listen(): Promise<LocalEndpoint> {
    return local;
  }
  send(): Promise<void> {
    this.sent++;
    return Promise.resolve();
  }
  async close(): Promise<void> {}
  onMessage(handler: InboundHandler): void {
    this.handler = handler;
  }
}

const sdp =
  "v=0\r\no=alice 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\n";

function datagram(method: string, n: number, cseqMethod = method): Buffer {
  const id = n.toString(36);
  const body = method === "INVITE" ? sdp : "";
  const uri = method === "REGISTER" ? "sip:sip.example.com" : "sip:+15551234567@sip.example.com;user=phone";
  const to =
    method === "REGISTER" ? `<sip:u${id}@sip.example.com>` : "<sip:+15551234567@sip.example.com;user=phone>";
  const from = method === "REGISTER" ? `<sip:u${id}@sip.example.com>` : '"Alice" <sip:alice@sip.example.com>';
  return Buffer.from(
    [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bK${id}x${cseqMethod};rport`,
      "Max-Forwards: 70",
      `To: ${to}${method === "ACK" ? ";tag=bench" : ""}`,
      `From: ${from};tag=${id}`,
      `Call-ID: ${id}-a84b4c76e66710@pc33.example.com`,
      `CSeq: 1 ${method}`,
      "Contact: <sip:alice@10.0.0.7:5060;transport=udp>;expires=3600",
      "User-Agent: Bench/1.0",
      ...(method === "REGISTER" ? ["Expires: 3600", "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS"] : []),
      ...(body ? ["Content-Type: application/sdp"] : []),
      `Content-Length: ${body.length}`,
      "",
      body,
    ].join("\r\n"),
    "latin1",
  );
}

/** After the sends in flight have settled, so that only what the transactions keep is counted. */
async function heap(): Promise<{ used: number; external: number }> {
  await new Promise((resolve) => setImmediate(resolve));
  gc!();
  gc!();
  const usage = process.memoryUsage();
  return { used: usage.heapUsed, external: usage.arrayBuffers };
}

type Scenario = "REGISTER 200 (Completed)" | "INVITE 486 (Completed)" | "INVITE 486, ACKed (Confirmed)";

async function measure(scenario: Scenario): Promise<{ used: number; external: number }> {
  const udp = new SilentUdp();
  const transports = new TransportLayer({ transports: [udp] });
  const method = scenario.startsWith("REGISTER") ? "REGISTER" : "INVITE";
  const status = method === "REGISTER" ? 200 : 486;
  const user: TransactionUser = {
    onRequest(request: SipRequest, transaction: ServerTransaction) {
      transaction.respond(createResponse(request, status, undefined, { toTag: "bench" }));
    },
    onAck() {},
  };
  // Timer I (T4, 5 s) would end Confirmed transactions while a large count is still being built.
  const transactions = new TransactionLayer({ clock: systemClock, user, timers: { timerI: 600_000 } });
  transports.onMessage(({ message, source, local }) => {
    if (message.kind === "request")
      transactions.receiveRequest(message, transports.responseFlow({ source, local }));
  });
  const source = { protocol: "udp" as const, address: "198.51.100.7", port: 40_000 };
  const before = await heap();
  for (let i = 0; i < count; i++) {
    udp.handler!({ bytes: datagram(method, i), source, local });
    if (scenario.endsWith("(Confirmed)"))
      udp.handler!({ bytes: datagram("ACK", i, "INVITE"), source, local });
  }
  const after = await heap();
  if (transactions.serverTransactionCount !== count) {
    throw new Error(`expected ${count} live transactions, found ${transactions.serverTransactionCount}`);
  }
  transactions.close();
  return { used: (after.used - before.used) / count, external: (after.external - before.external) / count };
}

const scenarios: Scenario[] = [
  "REGISTER 200 (Completed)",
  "INVITE 486 (Completed)",
  "INVITE 486, ACKed (Confirmed)",
];
console.log(`node ${process.version}, ${count.toLocaleString("en")} server transactions per row, UDP\n`);
console.log("bytes retained per transaction after its final response");
for (const scenario of scenarios) {
  const { used, external } = await measure(scenario);
  console.log(
    `  ${scenario.padEnd(30)} heap ${used.toFixed(0).padStart(6)}   outside the heap ${external.toFixed(0).padStart(5)}`,
  );
}
process.exit(0);
