/**
 * The phones of the RTP relay benchmark in Node, used when no C compiler is at hand (phones.c is
 * the default). Same job and protocol (phones-protocol.ts), but receiving and sending cost about
 * as much here as relaying does, so with it the benchmark finds the generator's limit sooner.
 */
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { type CallTarget, formatReady, formatResult } from "./phones-protocol.ts";

const SOCKETS_PER_SIDE = 16;
const PAYLOAD_BYTES = 160;
const TICK_MS = 1;
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
const QUIET_MS = 250;
const MAX_DRAIN_MS = 3000;

function literal(
  address: string,
  _options: unknown,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  callback(null, address, 4);
}

async function openSocket(): Promise<Socket> {
  const socket = createSocket({
    type: "udp4",
    lookup: literal,
    recvBufferSize: SOCKET_BUFFER_BYTES,
    sendBufferSize: SOCKET_BUFFER_BYTES,
  });
  // With a synchronous lookup, bind() emits "listening" before returning.
  const listening = once(socket, "listening");
  socket.bind(0, "127.0.0.1");
  await listening;
  return socket;
}

const sockets = [
  await Promise.all(Array.from({ length: SOCKETS_PER_SIDE }, openSocket)),
  await Promise.all(Array.from({ length: SOCKETS_PER_SIDE }, openSocket)),
] as const;
let received = 0;
let step = 0;
for (const socket of sockets.flat()) {
  socket.on("message", (packet: Buffer) => {
    if (packet[12] === step) received++;
  });
}

let calls: CallTarget[] = [];
/** Next sequence number per call and direction: [2i] caller, [2i+1] callee. */
let sequence: Uint16Array = new Uint16Array(0);
const template = Buffer.alloc(12 + PAYLOAD_BYTES, 0xd5);
template[0] = 0x80;
template[1] = 8;

function sendOne(stream: number): void {
  const call = calls[stream >> 1]!;
  const side = (stream & 1) as 0 | 1;
  const packet = Buffer.allocUnsafe(template.length);
  template.copy(packet);
  const seq = sequence[stream]!;
  sequence[stream] = seq + 1;
  packet.writeUInt16BE(seq, 2);
  packet.writeUInt32BE((seq * 160) >>> 0, 4);
  packet.writeUInt32BE(stream + 1, 8);
  packet[12] = step;
  const socket = sockets[side][(stream >> 1) % SOCKETS_PER_SIDE]!;
  socket.send(packet, side === 0 ? call.callerLegPort : call.calleeLegPort, "127.0.0.1");
}

/** Waits until nothing more comes back for QUIET_MS (at most MAX_DRAIN_MS); returns how long it waited. */
async function drain(): Promise<number> {
  const start = performance.now();
  let last = received;
  let quietSince = start;
  while (performance.now() - start < MAX_DRAIN_MS) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (received !== last) {
      last = received;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= QUIET_MS) break;
  }
  return performance.now() - start;
}

async function run(stepTag: number, packetsPerSecond: number, durationMs: number): Promise<void> {
  const streams = calls.length * 2;
  const total = Math.floor((packetsPerSecond * durationMs) / 1000);
  step = stepTag & 0xff;
  received = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let sent = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * packetsPerSecond));
      for (; sent < due; sent++) {
        sendOne(next);
        next = next + 1 === streams ? 0 : next + 1;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write("sent\n");
  const drainMs = await drain();
  process.stdout.write(
    formatResult({ sent, received, seconds, drainMs, cpuShare: (cpu.user + cpu.system) / 1e6 / seconds }),
  );
}

const lines = createInterface({ input: process.stdin });
let pendingCalls = 0;
let incoming: CallTarget[] = [];
lines.on("line", (line) => {
  if (pendingCalls > 0) {
    const [callerLegPort, calleeLegPort] = line.split(" ").map(Number);
    incoming.push({ callerLegPort: callerLegPort!, calleeLegPort: calleeLegPort! });
    if (--pendingCalls === 0) {
      const grown = new Uint16Array(incoming.length * 2);
      grown.set(sequence.subarray(0, Math.min(sequence.length, grown.length)));
      [calls, sequence] = [incoming, grown];
      process.stdout.write("calls-set\n");
    }
    return;
  }
  const [command, ...args] = line.split(" ");
  if (command === "calls") {
    pendingCalls = Number(args[0]);
    incoming = [];
  } else if (command === "run") {
    void run(Number(args[0]), Number(args[1]), Number(args[2]));
  } else if (command === "stop") {
    for (const socket of sockets.flat()) socket.close();
    lines.close();
  }
});

process.stdout.write(
  formatReady({
    callerPorts: sockets[0].map((socket) => socket.address().port),
    calleePorts: sockets[1].map((socket) => socket.address().port),
  }),
);
