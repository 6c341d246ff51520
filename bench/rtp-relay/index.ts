/**
 * RTP relay benchmark: packets per second one core forwards at under 0.1% loss, and memory per
 * active call.
 *
 *   npx tsx bench/rtp-relay/index.ts [--max-pps N] [--step-seconds S] [--memory-calls N] [--no-pin]
 *
 * The relay (RtpRelay, through the MediaControl interface) runs in this process, pinned to CPU 0
 * when `taskset` exists. A second process (phones.ts), pinned to CPU 1, plays both phones of
 * every call: 50 packets/s each way per call (G.711, 20 ms), so 100 forwarded packets/s per
 * call. The rate climbs step by step, adding calls, until loss reaches 0.1%, the phones cannot
 * send faster, or --max-pps. Loopback only.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { RtpRelay } from "@zaqros/media";
import type { CallTarget, FromPhones, ToPhones } from "./messages.ts";

const PACKETS_PER_CALL = 100;
const LOSS_LIMIT = 0.001;
const PORT_MIN = 20000;
const PORT_MAX = 29999;

const options = parseOptions(process.argv.slice(2));
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

function parseOptions(args: string[]) {
  const value = (name: string, fallback: number) => {
    const index = args.indexOf(name);
    return index === -1 ? fallback : Number(args[index + 1]);
  };
  return {
    maxPps: value("--max-pps", 240_000),
    stepSeconds: value("--step-seconds", 4),
    memoryCalls: value("--memory-calls", 1000),
    pin: !args.includes("--no-pin"),
  };
}

function sdp(port: number, sessionId: number): string {
  return [
    "v=0",
    `o=bench ${sessionId} 1 IN IP4 127.0.0.1`,
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${port} RTP/AVP 8`,
    "a=rtpmap:8 PCMA/8000",
    "a=ptime:20",
    "a=sendrecv",
    "",
  ].join("\r\n");
}

function mediaPort(body: string): number {
  return Number(/^m=audio (\d+)/m.exec(body)![1]);
}

/** Pins every thread of `pid` to `cpu`; false when taskset is missing or refuses. */
function pin(pid: number, cpu: number): boolean {
  const result = spawnSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
  return result.status === 0;
}

function memory() {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function measureMemory(calls: number) {
  const relay = new RtpRelay({ portMin: PORT_MIN, portMax: PORT_MAX });
  const warm = await relay.allocate({ callId: "warm-up", offer: sdp(9, 0) });
  await relay.update({ callId: "warm-up", from: "callee", kind: "answer", sdp: sdp(9, 1) });
  await relay.release(warm.callId);
  const before = memory();
  for (let i = 0; i < calls; i++) {
    await relay.allocate({ callId: `memory-${i}`, offer: sdp(10000 + (i % 5000) * 2, i) });
    await relay.update({
      callId: `memory-${i}`,
      from: "callee",
      kind: "answer",
      sdp: sdp(16000 + (i % 5000) * 2, i),
    });
  }
  const after = memory();
  relay.close();
  return { heapPerCall: (after.heap - before.heap) / calls, rssPerCall: (after.rss - before.rss) / calls };
}

class Phones {
  readonly #process: ChildProcess;
  readonly #inbox: FromPhones[] = [];
  #waiter: ((message: FromPhones) => void) | undefined;

  constructor(pinned: boolean) {
    const script = fileURLToPath(new URL("./phones.ts", import.meta.url));
    const node = [process.execPath, "--import", "tsx", script];
    const [command, ...args] = pinned ? ["taskset", "-c", "1", ...node] : node;
    this.#process = spawn(command!, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.#process.on("message", (message: FromPhones) => {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (waiter) waiter(message);
      else this.#inbox.push(message);
    });
  }

  send(message: ToPhones): void {
    this.#process.send(message);
  }

  next<T extends FromPhones["type"]>(type: T): Promise<Extract<FromPhones, { type: T }>> {
    const queued = this.#inbox.shift();
    const message = queued
      ? Promise.resolve(queued)
      : new Promise<FromPhones>((resolve) => (this.#waiter = resolve));
    return message.then((m) => {
      if (m.type !== type) throw new Error(`phones said ${m.type}, expected ${type}`);
      return m as Extract<FromPhones, { type: T }>;
    });
  }

  async stop(): Promise<void> {
    this.send({ type: "stop" });
    await once(this.#process, "exit");
  }
}

interface StepResult {
  targetPps: number;
  calls: number;
  sentPps: number;
  forwardedPps: number;
  /** Share of the packets sent that never came back. */
  loss: number;
  /** Share of the packets sent that the relay never received (its sockets' buffers overflowed). */
  lossBeforeRelay: number;
  relayCpu: number;
  relayBusy: number;
  microsPerPacket: number;
  phonesCpu: number;
}

async function main() {
  const pinnedRelay = options.pin && pin(process.pid, 0);
  console.log("RTP relay benchmark (loopback, 172-byte G.711 RTP, 100 forwarded packets/s per call)");
  console.log(
    `node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, relay ${pinnedRelay ? "pinned to CPU 0, phones to CPU 1" : "not pinned"}`,
  );

  const memoryFigures = await measureMemory(options.memoryCalls);
  console.log(
    `\nmemory per active call (${options.memoryCalls} answered calls, one audio stream, 4 sockets each): ` +
      `heap ${kib(memoryFigures.heapPerCall)}, RSS ${kib(memoryFigures.rssPerCall)}`,
  );

  const relay = new RtpRelay({ portMin: PORT_MIN, portMax: PORT_MAX, socketReceiveBufferBytes: 1024 * 1024 });
  const phones = new Phones(pinnedRelay);
  const ready = await phones.next("ready");
  const targets: CallTarget[] = [];
  const ensureCalls = async (count: number) => {
    for (let i = targets.length; i < count; i++) {
      const side = i % ready.callerPorts.length;
      const offer = await relay.allocate({ callId: `bench-${i}`, offer: sdp(ready.callerPorts[side]!, i) });
      const answer = await relay.update({
        callId: `bench-${i}`,
        from: "callee",
        kind: "answer",
        sdp: sdp(ready.calleePorts[side]!, i),
      });
      targets.push({ callerLegPort: mediaPort(answer.sdp), calleeLegPort: mediaPort(offer.sdp) });
    }
    phones.send({ type: "calls", calls: targets });
    await phones.next("calls-set");
  };

  const relayReceived = async () => {
    let packets = 0;
    for (let i = 0; i < targets.length; i++) {
      const stream = (await relay.stats(`bench-${i}`))?.streams[0];
      packets += (stream?.caller.rtp.packets ?? 0) + (stream?.callee.rtp.packets ?? 0);
    }
    return packets;
  };

  let step = 0;
  const runStep = async (targetPps: number, seconds: number): Promise<StepResult> => {
    const calls = Math.ceil(targetPps / PACKETS_PER_CALL);
    await ensureCalls(calls);
    const relayBefore = await relayReceived();
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    phones.send({ type: "run", step: ++step, packetsPerSecond: targetPps, durationMs: seconds * 1000 });
    const result = await phones.next("result");
    const cpu = process.cpuUsage(cpuBefore);
    const busy = performance.eventLoopUtilization(eluBefore).utilization;
    const relayIn = (await relayReceived()) - relayBefore;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      targetPps,
      calls,
      sentPps: result.sent / result.seconds,
      forwardedPps: result.received / result.seconds,
      loss: result.sent === 0 ? 0 : Math.max(0, result.sent - result.received) / result.sent,
      lossBeforeRelay: result.sent === 0 ? 0 : Math.max(0, result.sent - relayIn) / result.sent,
      relayCpu: cpuSeconds / result.seconds,
      relayBusy: busy,
      microsPerPacket: result.received === 0 ? 0 : (cpuSeconds * 1e6) / result.received,
      phonesCpu: result.cpuShare,
    };
  };

  console.log(
    "\n target pps  calls   sent pps  forwarded pps    loss  (at relay)  relay CPU  relay busy  µs/packet  phones CPU",
  );
  const percent = (share: number, digits = 0) => `${(share * 100).toFixed(digits)}%`;
  const print = (r: StepResult, note = "") =>
    console.log(
      [
        String(r.targetPps).padStart(11),
        String(r.calls).padStart(6),
        r.sentPps.toFixed(0).padStart(10),
        r.forwardedPps.toFixed(0).padStart(14),
        percent(r.loss, 3).padStart(7),
        percent(r.lossBeforeRelay, 3).padStart(11),
        percent(r.relayCpu).padStart(10),
        percent(r.relayBusy).padStart(11),
        r.microsPerPacket.toFixed(1).padStart(10),
        percent(r.phonesCpu).padStart(11),
      ].join(" ") + note,
    );

  await runStep(10_000, 1);
  let best: StepResult | undefined;
  let stopReason = `reached --max-pps ${options.maxPps}`;
  let retried = false;
  const maxCalls = Math.floor((PORT_MAX - PORT_MIN + 1) / 4);
  for (let target = 20_000; target <= options.maxPps; ) {
    if (Math.ceil(target / PACKETS_PER_CALL) > maxCalls) {
      stopReason = `the port range ${PORT_MIN}-${PORT_MAX} holds ${maxCalls} calls`;
      break;
    }
    const result = await runStep(target, options.stepSeconds);
    const generatorLimited = result.sentPps < target * 0.95;
    if (result.loss < LOSS_LIMIT && !generatorLimited) {
      print(result);
      best = result;
      target += 20_000;
      continue;
    }
    if (!retried) {
      print(result, "  (retrying once)");
      retried = true;
      continue;
    }
    if (generatorLimited) {
      print(result, "  (phones could not send at this rate)");
      stopReason = "the phones process could not send at the target rate";
    } else {
      print(result, "  (loss over 0.1%)");
      stopReason =
        result.lossBeforeRelay >= result.loss / 2
          ? "loss reached 0.1%, mostly packets the relay did not read in time"
          : "loss reached 0.1%, mostly after the relay (the phones did not read in time)";
    }
    break;
  }

  await phones.stop();
  const final = await relay.stats("bench-0");
  relay.close();

  console.log(`\nstopped: ${stopReason}`);
  if (best) {
    console.log(
      `RESULT forwarded ${best.forwardedPps.toFixed(0)} packets/s at ${(best.loss * 100).toFixed(3)}% loss ` +
        `(${best.calls} simultaneous G.711 calls), relay using ${(best.relayCpu * 100).toFixed(0)}% of one core`,
    );
    console.log(
      `RESULT relay CPU per forwarded packet ${best.microsPerPacket.toFixed(1)} µs, so one whole core would forward ` +
        `about ${(1e6 / best.microsPerPacket).toFixed(0)} packets/s (projection, not measured)`,
    );
  } else {
    console.log("RESULT no step stayed under 0.1% loss");
  }
  console.log(
    `RESULT memory per active call: heap ${kib(memoryFigures.heapPerCall)}, RSS ${kib(memoryFigures.rssPerCall)}; ` +
      `relay process RSS at the end ${mib(process.memoryUsage().rss)}`,
  );
  if (final) {
    const { caller } = final.streams[0]!;
    console.log(
      `check: call bench-0 caller leg relayed ${caller.rtp.packets} RTP packets, ${caller.rtp.lost} lost by sequence number`,
    );
  }
}

await main();
