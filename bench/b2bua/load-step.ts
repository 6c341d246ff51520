import { setTimeout as sleep } from "node:timers/promises";
import { freeUdpPort } from "./free-ports.ts";
import type { BenchOptions, Placement, ScenarioName, ServerName } from "./options.ts";
import { CpuLoad, usageOf } from "./process-usage.ts";
import type { Children } from "./processes.ts";
import type { Step, Verdict } from "./ramp.ts";
import { percentile, runUac } from "./sipp-load.ts";

export const PHONE_IP = "127.0.0.2";
/** Dialled as 00 44 ..., which a US account's dial plan reads as +44...; the carrier's deck serves 44. */
export const DIALLED = "00442079460958";
const FAILURE_LIMIT = 0.001;
/**
 * A step also fails when more than this share of its calls needed a retransmission from SIPp: no
 * answer within T1 (500 ms) means the server has stopped keeping up, even if a short step ends
 * before its backlog turns into failures.
 */
const RETRANSMISSION_LIMIT = 0.01;
/**
 * A step also fails when the mean time to the final 200 exceeds this: with deep socket buffers an
 * overloaded server queues instead of dropping, and answers within T1 for a whole step while its
 * queue grows. A server that keeps up answers in a few milliseconds.
 */
const ANSWER_LIMIT_MS = 100;
/** Below this share of the rate asked, SIPp (not the server) is the limit. */
const GENERATOR_SHARE = 0.9;

/** One step's outcome with what the server used meanwhile. */
export interface LoadStep extends Step {
  calls: number;
  successful: number;
  failed: number;
  achievedRate: number;
  /** Mean time from a call's first message to its final 200, ms. */
  meanAnswerMs: number | undefined;
  retransmissions: number;
  /**
   * Admission latency (calls only): from the phone sending the INVITE with credentials to the
   * carrier's 180 Ringing reaching it through the server, median and 99th percentile, ms
   * (SIPp's clock, whole milliseconds).
   */
  admissionP50Ms: number | undefined;
  admissionP99Ms: number | undefined;
  /** The server's busiest second, as a share of one core. */
  serverCpuPeak: number;
  /** Server CPU time over the step divided by its calls, ms: what a call costs, whatever else runs. */
  cpuMsPerCall: number;
  serverRssBytes: number;
  sippCpu: number;
  /** CPU 0's busy share that was not the server (other work on the machine). */
  otherLoadOnServerCpu: number | undefined;
  /** Seconds per second the server was ready to run but waited for its CPU: other work took it. */
  runQueueShare: number;
}

/** The server under load: where to send, and which processes are it. */
export interface Target {
  name: ServerName;
  remote: string;
  pids: () => number[];
  /** The SIPp carrier, which shares SIPp's CPU with the phones. */
  carrierPids: () => number[];
}

export interface StepContext {
  children: Children;
  options: BenchOptions;
  placement: Placement;
  files: { users: string; stats: string };
  /**
   * The phones' SIP port, the same in every step of a scenario: a phone refreshing its
   * registration keeps its contact. With a new port each step, every step added a contact to every
   * device (Expires 300 s), so later steps read, wrote and answered more bindings than earlier ones,
   * and a search's last steps measured more state, not only more load.
   */
  phonePort: number;
}

/**
 * Waits until the server uses under 5% of a core for a second, at most `limitMs`: after an
 * overloaded step, transactions and retransmissions drain for up to 64*T1 (32 s), and a step
 * started meanwhile measures the last one's aftermath, not its own rate.
 */
export async function settle(pids: () => number[], limitMs = 35_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  let before = usageOf(pids()).cpuSeconds;
  while (Date.now() < deadline) {
    await sleep(1_000);
    const now = usageOf(pids()).cpuSeconds;
    if (now - before < 0.05) return;
    before = now;
  }
}

/** Runs SIPp at `rate` for one step (`seconds` of new calls) and judges it. */
export async function loadStep(
  target: Target,
  scenario: ScenarioName,
  rate: number,
  context: StepContext,
  seconds = context.options.stepSeconds,
): Promise<LoadStep> {
  const { options, placement, files } = context;
  const calls = Math.max(1, Math.round(rate * seconds));
  const startUsage = usageOf(target.pids());
  const carrierStart = usageOf(target.carrierPids()).cpuSeconds;
  let lastCpu = startUsage.cpuSeconds;
  let peak = 0;
  let rss = startUsage.rssBytes;
  const cpuLoad = new CpuLoad();
  let tick = performance.now();
  const sampler = setInterval(() => {
    const now = performance.now();
    const usage = usageOf(target.pids());
    peak = Math.max(peak, (usage.cpuSeconds - lastCpu) / ((now - tick) / 1000));
    rss = Math.max(rss, usage.rssBytes);
    lastCpu = usage.cpuSeconds;
    tick = now;
  }, 1_000);
  const step = await runUac(context.children, {
    scenario: scenario === "calls" ? "uac-call.xml" : "uac-register.xml",
    remote: target.remote,
    localIp: PHONE_IP,
    localPort: context.phonePort,
    mediaPort: await freeUdpPort(PHONE_IP),
    usersFile: files.users,
    ...(scenario === "calls" ? { service: DIALLED, holdMs: options.holdMs } : {}),
    rate,
    calls,
    recvTimeoutMs: 8_000,
    statsDir: files.stats,
    cpu: placement.sipp,
  });
  clearInterval(sampler);
  const endUsage = usageOf(target.pids());
  const carrierCpu = usageOf(target.carrierPids()).cpuSeconds - carrierStart;
  const serverCpuTotal = (endUsage.cpuSeconds - startUsage.cpuSeconds) / step.seconds;
  const loads = cpuLoad.sample();
  const serverCoreBusy = placement.server === undefined ? undefined : loads.get(`cpu${placement.server}`);
  const failed = Math.max(step.counters.failed, calls - step.counters.successful);
  const late =
    !options.failuresOnly &&
    (step.counters.retransmissions / calls > RETRANSMISSION_LIMIT ||
      (step.counters.meanResponseMs ?? 0) > ANSWER_LIMIT_MS);
  const generatorLimited = step.achievedRate < rate * GENERATOR_SHARE;
  const verdict: Verdict =
    failed / calls >= FAILURE_LIMIT || late ? "fail" : generatorLimited ? "generator-limited" : "pass";
  return {
    rate,
    verdict,
    calls,
    successful: step.counters.successful,
    failed,
    achievedRate: step.achievedRate,
    meanAnswerMs: step.counters.meanResponseMs,
    retransmissions: step.counters.retransmissions,
    admissionP50Ms: percentile(step.admissionMs, 0.5),
    admissionP99Ms: percentile(step.admissionMs, 0.99),
    serverCpuPeak: Math.max(peak, serverCpuTotal),
    cpuMsPerCall: ((endUsage.cpuSeconds - startUsage.cpuSeconds) * 1000) / calls,
    runQueueShare: (endUsage.runQueueSeconds - startUsage.runQueueSeconds) / step.seconds,
    serverRssBytes: Math.max(rss, endUsage.rssBytes),
    sippCpu: (step.cpuSeconds + carrierCpu) / step.seconds,
    otherLoadOnServerCpu:
      serverCoreBusy === undefined ? undefined : Math.max(0, serverCoreBusy - serverCpuTotal),
  };
}
