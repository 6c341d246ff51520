/**
 * RTP relay benchmark: packets per second one core forwards at under 0.1% loss, and memory per
 * active call.
 *
 *   npx tsx bench/rtp-relay/index.ts [--max-pps N] [--step-seconds S] [--memory-calls N]
 *                                    [--no-pin] [--node-phones]
 *
 * The relay (RtpRelay, driven through the MediaControl interface) runs in this process, pinned to
 * CPU 0 when `taskset` exists. A phones process pinned to CPU 1 plays both ends of every call:
 * 50 packets/s each way per call (G.711, 20 ms), so 100 forwarded packets/s per call. It is
 * phones.c, compiled with the system C compiler so the generator costs far less than the relay,
 * or phones.ts with --node-phones (or without a compiler). The rate climbs step by step, adding
 * calls, until loss reaches 0.1%, the phones cannot send faster, or --max-pps. Loopback only.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { RtpRelay } from "@zaqros/media";
import { phoneSdp } from "./phone-sdp.ts";
import {
  type CallTarget,
  formatCalls,
  formatRun,
  type PhonesReady,
  type PhonesResult,
  parseReady,
  parseResult,
} from "./phones-protocol.ts";

const PACKETS_PER_CALL = 100;
const LOSS_LIMIT = 0.001;
const PORT_MIN = 20000;
const PORT_MAX = 29999;
const STEP_PPS = 20_000;

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
    nodePhones: args.includes("--node-phones"),
  };
}

function mediaPort(body: string): number {
  return Number(/^m=audio (\d+)/m.exec(body)![1]);
}

/** Pins every thread of `pid` to `cpu`; false when taskset is missing or refuses. */
function pin(pid: number, cpu: number): boolean {
  return spawnSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" }).status === 0;
}

function memory() {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const percent = (share: number, digits = 0) => `${(share * 100).toFixed(digits)}%`;

/** Heap and RSS growth per answered call with one audio stream, before any traffic. */
async function measureMemory(calls: number) {
  const relay = new RtpRelay({ portMin: PORT_MIN, portMax: PORT_MAX });
  await relay.allocate({ callId: "warm-up", offer: phoneSdp(9, 0) });
  await relay.update({ callId: "warm-up", from: "callee", kind: "answer", sdp: phoneSdp(9, 1) });
  await relay.release("warm-up");
  const before = memory();
  for (let i = 0; i < calls; i++) {
    await relay.allocate({ callId: `memory-${i}`, offer: phoneSdp(10000 + (i % 5000) * 2, i) });
    await relay.update({
      callId: `memory-${i}`,
      from: "callee",
      kind: "answer",
      sdp: phoneSdp(16000 + (i % 5000) * 2, i),
    });
  }
  const after = memory();
  relay.close();
  return { heapPerCall: (after.heap - before.heap) / calls, rssPerCall: (after.rss - before.rss) / calls };
}

/**
 * Datagrams the kernel dropped because a socket's receive buffer was full, summed over the
 * sockets bound to `ports` (the last column of /proc/net/udp); undefined off Linux.
 */
function kernelDrops(ports: (port: number) => boolean): number | undefined {
  let table: string;
  try {
    table = readFileSync("/proc/net/udp", "utf8");
  } catch {
    return undefined;
  }
  let drops = 0;
  for (const line of table.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const port = Number.parseInt(fields[1]?.split(":")[1] ?? "", 16);
    if (Number.isFinite(port) && ports(port)) drops += Number(fields[fields.length - 1]);
  }
  return drops;
}

/** Compiles phones.c into a temporary directory; undefined when no compiler works. */
function compilePhones(): { binary: string; cleanUp: () => void } | undefined {
  const directory = mkdtempSync(join(tmpdir(), "zaqros-rtp-phones-"));
  const binary = join(directory, "phones");
  const source = fileURLToPath(new URL("./phones.c", import.meta.url));
  const compiled = spawnSync("cc", ["-O2", "-o", binary, source], { stdio: ["ignore", "ignore", "inherit"] });
  const cleanUp = () => rmSync(directory, { recursive: true, force: true });
  if (compiled.status === 0) return { binary, cleanUp };
  cleanUp();
  return undefined;
}

class Phones {
  readonly #process: ChildProcess;
  readonly #lines: Interface;
  readonly #inbox: string[] = [];
  #waiter: ((line: string) => void) | undefined;

  constructor(command: readonly string[], pinned: boolean) {
    const [program, ...args] = pinned ? ["taskset", "-c", "1", ...command] : command;
    this.#process = spawn(program!, args, { stdio: ["pipe", "pipe", "inherit"] });
    this.#lines = createInterface({ input: this.#process.stdout! });
    this.#lines.on("line", (line) => {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (waiter) waiter(line);
      else this.#inbox.push(line);
    });
  }

  async ready(): Promise<PhonesReady> {
    return parseReady(await this.#expect("ready"));
  }

  async setCalls(calls: readonly CallTarget[]): Promise<void> {
    this.#process.stdin!.write(formatCalls(calls));
    await this.#expect("calls-set");
  }

  /** Runs one step; `onSent` is called when the phones stop sending, before they wait for stragglers. */
  async run(
    step: number,
    packetsPerSecond: number,
    durationMs: number,
    onSent: () => void,
  ): Promise<PhonesResult> {
    this.#process.stdin!.write(formatRun(step, packetsPerSecond, durationMs));
    await this.#expect("sent");
    onSent();
    return parseResult(await this.#expect("result"));
  }

  async stop(): Promise<void> {
    this.#process.stdin!.end("stop\n");
    await once(this.#process, "exit");
  }

  async #expect(word: string): Promise<string> {
    const queued = this.#inbox.shift();
    const line = queued ?? (await new Promise<string>((resolve) => (this.#waiter = resolve)));
    if (!line.startsWith(word)) throw new Error(`phones said "${line}", expected ${word}`);
    return line;
  }
}

interface StepResult {
  targetPps: number;
  calls: number;
  sentPps: number;
  forwardedPps: number;
  /** Share of the packets sent that never came back. */
  loss: number;
  /** Share of the packets sent that the kernel dropped at the relay's sockets (the relay did not read in time). */
  droppedAtRelay: number | undefined;
  /** Share dropped at the phones' sockets (the generator did not read in time). */
  droppedAtPhones: number | undefined;
  relayCpu: number;
  relayBusy: number;
  microsPerPacket: number;
  phonesCpu: number;
}

function printStep(r: StepResult, note = ""): void {
  console.log(
    [
      String(r.targetPps).padStart(11),
      String(r.calls).padStart(6),
      r.sentPps.toFixed(0).padStart(10),
      r.forwardedPps.toFixed(0).padStart(14),
      percent(r.loss, 3).padStart(7),
      (r.droppedAtRelay === undefined ? "n/a" : percent(r.droppedAtRelay, 3)).padStart(10),
      (r.droppedAtPhones === undefined ? "n/a" : percent(r.droppedAtPhones, 3)).padStart(11),
      percent(r.relayCpu).padStart(10),
      percent(r.relayBusy).padStart(11),
      r.microsPerPacket.toFixed(1).padStart(10),
      percent(r.phonesCpu).padStart(11),
    ].join(" ") + note,
  );
}

/** Where the lost packets went: dropped by a full socket buffer, or still queued when the phones stopped waiting. */
function lossCause(r: StepResult): string {
  if (r.droppedAtRelay === undefined || r.droppedAtPhones === undefined) return "cause unknown off Linux";
  const late = Math.max(0, r.loss - r.droppedAtRelay - r.droppedAtPhones);
  const causes = [
    [r.droppedAtRelay, "dropped at the relay's sockets: the relay did not read in time"],
    [r.droppedAtPhones, "dropped at the phones' sockets: the generator did not read in time"],
    [late, "forwarded too late: the relay fell behind"],
  ] as const;
  return [...causes].sort((a, b) => b[0] - a[0])[0]![1];
}

async function main() {
  const pinned = options.pin && pin(process.pid, 0);
  const compiled = options.nodePhones ? undefined : compilePhones();
  const phonesCommand = compiled
    ? [compiled.binary]
    : [process.execPath, "--import", "tsx", fileURLToPath(new URL("./phones.ts", import.meta.url))];
  console.log("RTP relay benchmark (loopback, 172-byte G.711 RTP, 100 forwarded packets/s per call)");
  console.log(
    `node ${process.version}, load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(" ")}, relay ${pinned ? "pinned to CPU 0, phones to CPU 1" : "not pinned"}, ` +
      `phones ${compiled ? "in C (phones.c)" : "in Node (phones.ts)"}`,
  );

  const memoryFigures = await measureMemory(options.memoryCalls);
  console.log(
    `\nmemory per active call (${options.memoryCalls} answered calls, one audio stream, 4 sockets each): ` +
      `heap ${kib(memoryFigures.heapPerCall)}, RSS ${kib(memoryFigures.rssPerCall)}`,
  );

  const relay = new RtpRelay({ portMin: PORT_MIN, portMax: PORT_MAX, socketReceiveBufferBytes: 1024 * 1024 });
  const phones = new Phones(phonesCommand, pinned);
  const ready = await phones.ready();
  const targets: CallTarget[] = [];
  const ensureCalls = async (count: number) => {
    for (let i = targets.length; i < count; i++) {
      const side = i % ready.callerPorts.length;
      const callId = `bench-${i}`;
      const offer = await relay.allocate({ callId, offer: phoneSdp(ready.callerPorts[side]!, i) });
      const answer = await relay.update({
        callId,
        from: "callee",
        kind: "answer",
        sdp: phoneSdp(ready.calleePorts[side]!, i),
      });
      targets.push({ callerLegPort: mediaPort(answer.sdp), calleeLegPort: mediaPort(offer.sdp) });
    }
    await phones.setCalls(targets);
  };
  const phonePorts = new Set([...ready.callerPorts, ...ready.calleePorts]);
  const drops = () => ({
    relay: kernelDrops((port) => port >= PORT_MIN && port <= PORT_MAX),
    phones: kernelDrops((port) => phonePorts.has(port)),
  });

  let step = 0;
  const runStep = async (targetPps: number, seconds: number): Promise<StepResult> => {
    const calls = Math.ceil(targetPps / PACKETS_PER_CALL);
    await ensureCalls(calls);
    const dropsBefore = drops();
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    let sendingCpu = 0;
    let busy = 0;
    const result = await phones.run(++step, targetPps, seconds * 1000, () => {
      const cpu = process.cpuUsage(cpuBefore);
      sendingCpu = (cpu.user + cpu.system) / 1e6;
      busy = performance.eventLoopUtilization(eluBefore).utilization;
    });
    const cpu = process.cpuUsage(cpuBefore);
    const dropsAfter = drops();
    const share = (before: number | undefined, after: number | undefined) =>
      before === undefined || after === undefined || result.sent === 0
        ? undefined
        : (after - before) / result.sent;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      targetPps,
      calls,
      sentPps: result.sent / result.seconds,
      forwardedPps: result.received / result.seconds,
      loss: result.sent === 0 ? 0 : Math.max(0, result.sent - result.received) / result.sent,
      droppedAtRelay: share(dropsBefore.relay, dropsAfter.relay),
      droppedAtPhones: share(dropsBefore.phones, dropsAfter.phones),
      relayCpu: sendingCpu / result.seconds,
      relayBusy: busy,
      microsPerPacket: result.received === 0 ? 0 : (cpuSeconds * 1e6) / result.received,
      phonesCpu: result.cpuShare,
    };
  };

  console.log(
    "\n target pps  calls   sent pps  forwarded pps    loss  drop relay drop phones  relay CPU  relay busy  µs/packet  phones CPU",
  );
  await runStep(10_000, 1);
  let best: StepResult | undefined;
  let stopReason = `reached --max-pps ${options.maxPps}`;
  let retried = false;
  const maxCalls = Math.floor((PORT_MAX - PORT_MIN + 1) / 4);
  for (let target = STEP_PPS; target <= options.maxPps; ) {
    if (Math.ceil(target / PACKETS_PER_CALL) > maxCalls) {
      stopReason = `the port range ${PORT_MIN}-${PORT_MAX} holds ${maxCalls} calls`;
      break;
    }
    const result = await runStep(target, options.stepSeconds);
    const generatorLimited = result.sentPps < target * 0.95;
    if (result.loss < LOSS_LIMIT && !generatorLimited) {
      printStep(result);
      best = result;
      target += STEP_PPS;
      continue;
    }
    if (!retried) {
      printStep(result, "  (retrying once)");
      retried = true;
      continue;
    }
    if (generatorLimited) {
      printStep(result, "  (phones could not send at this rate)");
      stopReason = "the phones process could not send at the target rate";
    } else {
      printStep(result, "  (loss over 0.1%)");
      stopReason = `loss reached 0.1% (${lossCause(result)})`;
    }
    break;
  }

  await phones.stop();
  compiled?.cleanUp();
  const sample = await relay.stats("bench-0");
  const endRss = process.memoryUsage().rss;
  relay.close();

  console.log(`\nstopped: ${stopReason}`);
  if (best) {
    console.log(
      `RESULT forwarded ${best.forwardedPps.toFixed(0)} packets/s at ${percent(best.loss, 3)} loss ` +
        `(${best.calls} simultaneous G.711 calls), relay using ${percent(best.relayCpu)} of one core`,
    );
    console.log(
      `RESULT relay CPU per forwarded packet ${best.microsPerPacket.toFixed(1)} µs at that rate: one whole core ` +
        `would forward about ${(1e6 / best.microsPerPacket).toFixed(0)} packets/s (projection, not measured)`,
    );
  } else {
    console.log("RESULT no step stayed under 0.1% loss");
  }
  console.log(
    `RESULT memory per active call: heap ${kib(memoryFigures.heapPerCall)}, RSS ${kib(memoryFigures.rssPerCall)}; ` +
      `relay process RSS with ${targets.length} calls after traffic ${mib(endRss)}`,
  );
  if (sample) {
    const { caller } = sample.streams[0]!;
    console.log(
      `check: call bench-0's caller leg relayed ${caller.rtp.packets} RTP packets, ${caller.rtp.lost} lost by sequence number`,
    );
  }
}

await main();
