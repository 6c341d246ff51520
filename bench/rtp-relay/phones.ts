/**
 * The phones of the RTP relay benchmark, run as their own process (pinned to the other core):
 * both ends of many simulated G.711 calls. Each call's caller and callee send 172-byte RTP
 * packets (12-byte header, 160 bytes of payload: 20 ms of G.711) to the relay, and every packet
 * the relay forwards is counted when it comes back to the other end.
 */
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import type { CallTarget, FromPhones, ToPhones } from "./messages.ts";

const SOCKETS_PER_SIDE = 16;
const PAYLOAD_BYTES = 160;
const TICK_MS = 2;
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

function reply(message: FromPhones): void {
  process.send?.(message);
}

const callerSockets = await Promise.all(Array.from({ length: SOCKETS_PER_SIDE }, openSocket));
const calleeSockets = await Promise.all(Array.from({ length: SOCKETS_PER_SIDE }, openSocket));
let received = 0;
let step = 0;
for (const socket of [...callerSockets, ...calleeSockets]) {
  socket.on("message", (packet: Buffer) => {
    if (packet[12] === step) received++;
  });
}

let calls: readonly CallTarget[] = [];
/** Next sequence number per call and direction: [2i] caller, [2i+1] callee. */
let sequence: Uint16Array = new Uint16Array(0);
const template = Buffer.alloc(12 + PAYLOAD_BYTES, 0xd5);
template[0] = 0x80;
template[1] = 8;

function sendOne(streamIndex: number): void {
  const call = calls[streamIndex >> 1]!;
  const fromCaller = (streamIndex & 1) === 0;
  const sockets = fromCaller ? callerSockets : calleeSockets;
  const socket = sockets[(streamIndex >> 1) % SOCKETS_PER_SIDE]!;
  const packet = Buffer.allocUnsafe(template.length);
  template.copy(packet);
  const seq = sequence[streamIndex]!;
  sequence[streamIndex] = seq + 1;
  packet.writeUInt16BE(seq, 2);
  packet.writeUInt32BE((seq * 160) >>> 0, 4);
  packet.writeUInt32BE(streamIndex + 1, 8);
  packet[12] = step;
  socket.send(packet, fromCaller ? call.callerLegPort : call.calleeLegPort, "127.0.0.1");
}

/** Waits until nothing more comes back for QUIET_MS (at most MAX_DRAIN_MS); returns how long it waited. */
async function drain(): Promise<number> {
  const start = performance.now();
  let last = received;
  let quietSince = start;
  while (performance.now() - start < MAX_DRAIN_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (received !== last) {
      last = received;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= QUIET_MS) break;
  }
  return performance.now() - start;
}

async function run(stepTag: number, packetsPerSecond: number, durationMs: number): Promise<void> {
  const streams = calls.length * 2;
  step = stepTag & 0xff;
  received = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let sent = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(
        Math.floor((elapsed / 1000) * packetsPerSecond),
        Math.floor((durationMs / 1000) * packetsPerSecond),
      );
      for (; sent < due; sent++) {
        sendOne(next);
        next = next + 1 === streams ? 0 : next + 1;
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const drainMs = await drain();
  reply({
    type: "result",
    sent,
    received,
    seconds,
    drainMs,
    cpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
  });
}

/** Calls kept from the previous step go on with their own sequence numbers. */
function copyInto(target: Uint16Array, source: Uint16Array): Uint16Array {
  target.set(source.subarray(0, Math.min(source.length, target.length)));
  return target;
}

process.on("message", (message: ToPhones) => {
  switch (message.type) {
    case "calls":
      calls = message.calls;
      sequence = copyInto(new Uint16Array(calls.length * 2), sequence);
      reply({ type: "calls-set" });
      break;
    case "run":
      void run(message.step, message.packetsPerSecond, message.durationMs);
      break;
    case "stop":
      for (const socket of [...callerSockets, ...calleeSockets]) socket.close();
      process.disconnect?.();
      break;
  }
});

reply({
  type: "ready",
  callerPorts: callerSockets.map((socket) => socket.address().port),
  calleePorts: calleeSockets.map((socket) => socket.address().port),
});
