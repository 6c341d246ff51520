/**
 * RTP relay set-up cost: what allocating and releasing one call's media costs, with no RTP sent,
 * as in the B2BUA benchmark (SIPp sends no media).
 *
 *   taskset -c 0 npx tsx bench/rtp-relay/allocate.ts [--calls N] [--warmup N]
 *        [--rate R --hold-ms H] [--idle-pairs N] [--quarantine-ms MS]
 *
 * Each call goes through the relay as the B2BUA drives it (packages/server/src/edges/sip/b2bua):
 * `allocate` with the caller's offer, `update` with the callee's answer, `release`. One audio
 * m= line, so two legs: two RTP/RTCP socket pairs a call.
 *
 * - Loop mode (default): calls one after the other, as fast as they go; prints calls/s and
 *   wall-clock and CPU µs per call (allocate + answer + release).
 * - Paced mode (`--rate`): R new calls a second, each held `--hold-ms` (default 1000) before
 *   release, as the B2BUA benchmark holds its calls; prints CPU µs per call over the run, which
 *   is the figure that decides how many calls/s one core can take. Runs `--calls` calls.
 *
 * Both modes first run `--warmup` calls in a loop (default 2000), not counted.
 *
 * `--idle-pairs` and `--quarantine-ms` set the relay's `idleSocketPairs` and
 * `socketPairQuarantineMs` (the warm socket-pair pool); a relay without that pool ignores them.
 */
import { RtpRelay, type RtpRelayConfig } from "@zaqros/media";
import { phoneSdp } from "./phone-sdp.ts";

const options = parseOptions(process.argv.slice(2));

function parseOptions(args: string[]) {
  const value = (name: string): number | undefined => {
    const index = args.indexOf(name);
    return index === -1 ? undefined : Number(args[index + 1]);
  };
  return {
    calls: value("--calls") ?? 20_000,
    warmup: value("--warmup") ?? 2_000,
    rate: value("--rate"),
    holdMs: value("--hold-ms") ?? 1000,
    idlePairs: value("--idle-pairs"),
    quarantineMs: value("--quarantine-ms"),
  };
}

const OFFER = phoneSdp(40000, 1, true);
const ANSWER = phoneSdp(40002, 2, true);

// Passed as a plain record, so the same script runs against a relay that predates these keys.
const poolConfig: Record<string, number> = {};
if (options.idlePairs !== undefined) poolConfig.idleSocketPairs = options.idlePairs;
if (options.quarantineMs !== undefined) poolConfig.socketPairQuarantineMs = options.quarantineMs;
const relay = new RtpRelay({ portMin: 20000, portMax: 29999, ...poolConfig } as RtpRelayConfig);

let nextCall = 0;

async function setUp(): Promise<string> {
  const callId = `bench-${++nextCall}`;
  await relay.allocate({ callId, offer: OFFER });
  await relay.update({ callId, from: "callee", kind: "answer", sdp: ANSWER });
  return callId;
}

async function oneCall(): Promise<void> {
  await relay.release(await setUp());
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

async function loop(): Promise<void> {
  for (let i = 0; i < options.warmup; i++) await oneCall();
  const cpuStart = cpuMicros();
  const start = performance.now();
  for (let i = 0; i < options.calls; i++) await oneCall();
  const wallMs = performance.now() - start;
  const cpu = cpuMicros() - cpuStart;
  console.log(
    `loop: ${options.calls} calls in ${wallMs.toFixed(0)} ms: ${((options.calls / wallMs) * 1000).toFixed(0)} calls/s, ` +
      `${((wallMs * 1000) / options.calls).toFixed(1)} µs/call wall, ${(cpu / options.calls).toFixed(1)} µs/call CPU`,
  );
}

async function paced(rate: number): Promise<void> {
  for (let i = 0; i < options.warmup; i++) await oneCall();
  const intervalMs = 1000 / rate;
  const cpuStart = cpuMicros();
  const start = performance.now();
  const held: Promise<void>[] = [];
  for (let i = 0; i < options.calls; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const callId = await setUp();
    held.push(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          relay.release(callId).then(() => resolve());
        }, options.holdMs),
      ),
    );
  }
  await Promise.all(held);
  const wallMs = performance.now() - start;
  const cpu = cpuMicros() - cpuStart;
  console.log(
    `paced: ${options.calls} calls at ${rate}/s held ${options.holdMs} ms, ${(wallMs / 1000).toFixed(1)} s: ` +
      `${(cpu / options.calls).toFixed(1)} µs CPU/call (process total, timers included), ` +
      `${((cpu / wallMs / 1000) * 100).toFixed(1)}% of a core`,
  );
}

try {
  if (options.rate === undefined) await loop();
  else await paced(options.rate);
} finally {
  relay.close();
}
