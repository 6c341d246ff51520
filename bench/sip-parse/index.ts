/**
 * Messages per second on one core for the SIP parser and serializer of @zaqros/sip.
 *
 *   npx tsx bench/sip-parse/index.ts [--seconds 1]
 *
 * Each figure is messages per second of CPU time on one core, best of 40 short rounds (the
 * machine may be shared: CPU time and the best round are the least disturbed measures). "hot headers" reads what every request touches on its way through
 * the stack: top Via (branch), From tag, To tag, Call-ID, CSeq and Contact. "validate all
 * headers" is what the transport layer does with every inbound message: parse every hot header
 * present, check the CSeq method and the Date.
 */

import type { SipMessage } from "../../packages/sip/src/index.ts";
import { parseMessage, serializeMessage } from "../../packages/sip/src/index.ts";

const sdp = [
  "v=0",
  "o=alice 2890844526 2890844526 IN IP4 198.51.100.7",
  "s=-",
  "c=IN IP4 198.51.100.7",
  "t=0 0",
  "m=audio 49170 RTP/AVP 0 8 9 101",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:9 G722/8000",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-16",
  "a=ptime:20",
  "a=sendrecv",
  "",
].join("\r\n");

const invite = [
  "INVITE sip:+15551234567@sip.example.com;user=phone SIP/2.0",
  "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK776asdhds;rport",
  "Max-Forwards: 70",
  'To: "Bob" <sip:+15551234567@sip.example.com;user=phone>',
  'From: "Alice" <sip:alice@sip.example.com>;tag=1928301774',
  "Call-ID: a84b4c76e66710@pc33.example.com",
  "CSeq: 314159 INVITE",
  'Contact: <sip:alice@198.51.100.7:5060;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>"',
  "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY",
  "Supported: replaces, timer, 100rel",
  "User-Agent: ExamplePhone/4.2.1",
  "Session-Expires: 1800",
  "Content-Type: application/sdp",
  `Content-Length: ${Buffer.byteLength(sdp)}`,
  "",
  sdp,
].join("\r\n");

const ok = [
  "SIP/2.0 200 OK",
  "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK776asdhds;rport=5060;received=198.51.100.7",
  'To: "Bob" <sip:+15551234567@sip.example.com;user=phone>;tag=a6c85cf',
  'From: "Alice" <sip:alice@sip.example.com>;tag=1928301774',
  "Call-ID: a84b4c76e66710@pc33.example.com",
  "CSeq: 314159 INVITE",
  "Contact: <sip:bob@203.0.113.4:5060>",
  "Record-Route: <sip:proxy.example.com;lr>",
  "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS",
  "Supported: replaces, timer",
  "Content-Type: application/sdp",
  `Content-Length: ${Buffer.byteLength(sdp)}`,
  "",
  sdp,
].join("\r\n");

const inviteBytes = new Uint8Array(Buffer.from(invite));
const okBytes = new Uint8Array(Buffer.from(ok));

let sink = 0;

function readHotHeaders(m: SipMessage): void {
  const h = m.headers;
  const via = h.topVia();
  const fromTag = h.from().params.get("tag");
  const toTag = h.to().params.get("tag");
  const contact = h.contact();
  sink += (via?.params.get("branch")?.length ?? 0) + (fromTag?.length ?? 0) + (toTag?.length ?? 0);
  sink += h.callId().length + h.cseq().seq + (contact === "*" ? 0 : contact.length);
}

const rounds = 40;

/**
 * Messages per second of CPU time, best of many short rounds. CPU time (user + system of this
 * process) rather than wall time, and the best round rather than the mean, so that other
 * processes on a shared machine, which take the core or its caches away, count as little as
 * possible; GC threads do count.
 */
function rate(work: () => void, seconds: number): number {
  let best = 0;
  const budget = (seconds * 1e6) / rounds;
  for (let round = 0; round < rounds; round++) {
    let n = 0;
    const start = process.cpuUsage();
    let used = 0;
    while (used < budget) {
      for (let i = 0; i < 200; i++) work();
      n += 200;
      const now = process.cpuUsage(start);
      used = now.user + now.system;
    }
    best = Math.max(best, n / (used / 1e6));
  }
  return best;
}

const secondsArg = process.argv.indexOf("--seconds");
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 5;

const parsedInvite = parseMessage(inviteBytes);
const cases: Array<[string, () => void]> = [
  ["parse INVITE with SDP", () => void parseMessage(inviteBytes)],
  ["parse INVITE + read hot headers", () => readHotHeaders(parseMessage(inviteBytes))],
  ["parse INVITE, validate all headers", () => void parseMessage(inviteBytes, { validate: true })],
  ["parse 200 OK with SDP", () => void parseMessage(okBytes)],
  ["parse 200 OK + read hot headers", () => readHotHeaders(parseMessage(okBytes))],
  [
    "serialize INVITE",
    () => {
      sink += serializeMessage(parsedInvite).length;
    },
  ],
];

for (const [, work] of cases) rate(work, 0.5);
console.log(
  `SIP parse benchmark: Node ${process.version}, one core, per CPU-second, best of ${rounds} rounds over ${seconds}s CPU per case`,
);
console.log(`INVITE ${inviteBytes.length} bytes, 200 OK ${okBytes.length} bytes`);
for (const [name, work] of cases) {
  const perSecond = rate(work, seconds);
  console.log(
    `${name.padEnd(34)} ${Math.round(perSecond).toLocaleString("en-US").padStart(12)} msg/s  ${(1e6 / perSecond).toFixed(2).padStart(6)} µs/msg`,
  );
}
if (sink === 0) console.log("(no work done)");
