import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { usageOf } from "./process-usage.ts";
import { type Children, type Cpu, tail } from "./processes.ts";

const SCENARIOS = fileURLToPath(new URL("./scenarios/", import.meta.url));

/** SIPp's cumulative counters from the last line of its -trace_stat file. */
export interface SippCounters {
  created: number;
  successful: number;
  failed: number;
  retransmissions: number;
  timeoutsOnRecv: number;
  unexpectedMessages: number;
  maxUdpRetrans: number;
  /** Mean time from the call's first message to the final answer (rtd="true"), in ms. */
  meanResponseMs: number | undefined;
}

export interface UacStep {
  counters: SippCounters;
  /** Calls SIPp started per second while it was starting them; below the target when SIPp fell behind. */
  achievedRate: number;
  /** Seconds SIPp ran, start to exit. */
  seconds: number;
  /** Seconds of CPU SIPp used (sampled every 200 ms, so up to 200 ms short). */
  cpuSeconds: number;
  output: string;
  /** Every sample of the scenario's "admission" response time, ms (SIPp's -trace_rtt). */
  admissionMs: number[];
}

export interface UacOptions {
  scenario: "uac-call.xml" | "uac-register.xml";
  /** host:port of the server under test. */
  remote: string;
  localIp: string;
  localPort: number;
  mediaPort: number;
  usersFile: string;
  /** Request-URI user (the dialled number) for calls. */
  service?: string;
  rate: number;
  calls: number;
  /** How long a call is held between ACK and BYE, ms. */
  holdMs?: number;
  /** A message not answered within this many ms fails its call. */
  recvTimeoutMs: number;
  statsDir: string;
  cpu: Cpu;
}

/** Reads the named columns of SIPp's semicolon-separated statistics file. */
function readStatRows(file: string): Array<Map<string, string>> {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  const header = lines[0]?.split(";") ?? [];
  return lines.slice(1).map((line) => {
    const values = line.split(";");
    return new Map(header.map((name, index) => [name, values[index] ?? ""]));
  });
}

/** "HH:MM:SS:uuuuuu" (SIPp's duration format) in milliseconds. */
function durationMs(text: string | undefined): number | undefined {
  const parts = text?.split(":").map(Number);
  if (parts?.length !== 4 || parts.some((part) => !Number.isFinite(part))) return undefined;
  const [hours, minutes, seconds, micros] = parts as [number, number, number, number];
  return ((hours * 60 + minutes) * 60 + seconds) * 1000 + micros / 1000;
}

function counters(row: Map<string, string> | undefined): SippCounters {
  const number = (name: string) => Number(row?.get(name) ?? 0) || 0;
  return {
    created: number("TotalCallCreated"),
    successful: number("SuccessfulCall(C)"),
    failed: number("FailedCall(C)"),
    retransmissions: number("Retransmissions(C)"),
    timeoutsOnRecv: number("FailedTimeoutOnRecv(C)"),
    unexpectedMessages: number("FailedUnexpectedMessage(C)"),
    maxUdpRetrans: number("FailedMaxUDPRetrans(C)"),
    meanResponseMs: durationMs(row?.get("ResponseTime1(C)")),
  };
}

/** Seconds since SIPp started at the row, from the epoch column of its time stamps. */
function secondsAt(row: Map<string, string>): number {
  const epoch = (name: string) => Number(row.get(name)?.split("\t")[2]);
  return epoch("CurrentTime") - epoch("StartTime");
}

/**
 * When SIPp had started `target` calls, from its once-a-second rows: the time is interpolated
 * between the row before and the row that reached the target.
 */
function secondsToCreate(rows: Array<Map<string, string>>, target: number): number | undefined {
  let previous = { seconds: 0, created: 0 };
  for (const row of rows) {
    const at = secondsAt(row);
    const created = Number(row.get("TotalCallCreated") ?? 0);
    if (!Number.isFinite(at)) continue;
    if (created >= target) {
      if (created === previous.created) return at;
      const share = (target - previous.created) / (created - previous.created);
      return previous.seconds + share * (at - previous.seconds);
    }
    previous = { seconds: at, created };
  }
  return undefined;
}

function commonArgs(
  localIp: string,
  localPort: number,
  mediaPort: number,
  statsFile: string,
  errorFile: string,
) {
  return [
    "-i",
    localIp,
    "-p",
    String(localPort),
    "-mi",
    localIp,
    "-mp",
    String(mediaPort),
    "-t",
    "u1",
    "-nostdin",
    "-buff_size",
    String(4 * 1024 * 1024),
    "-trace_stat",
    "-stf",
    statsFile,
    "-fd",
    "1",
    "-trace_err",
    "-error_file",
    errorFile,
  ];
}

let runNumber = 0;

/** Runs one SIPp UAC load step to completion: `calls` calls at `rate` per second. */
export async function runUac(children: Children, options: UacOptions): Promise<UacStep> {
  const run = ++runNumber;
  const statsFile = join(options.statsDir, `uac-${run}.csv`);
  // SIPp writes -trace_rtt's file into its working directory, named after the scenario and its pid.
  const runDir = join(options.statsDir, `uac-${run}`);
  mkdirSync(runDir, { recursive: true });
  const args = [
    "sipp",
    "-sf",
    join(SCENARIOS, options.scenario),
    "-inf",
    options.usersFile,
    ...commonArgs(
      options.localIp,
      options.localPort,
      options.mediaPort,
      statsFile,
      join(options.statsDir, `uac-${run}-errors.log`),
    ),
    "-r",
    String(options.rate),
    "-rp",
    "1000",
    "-m",
    String(options.calls),
    "-l",
    String(Math.max(1000, options.rate * 20)),
    "-recv_timeout",
    String(options.recvTimeoutMs),
    "-trace_rtt",
    "-rtt_freq",
    "1",
    "-timeout",
    `${Math.ceil(options.calls / options.rate + (options.holdMs ?? 0) / 1000 + options.recvTimeoutMs / 1000 + 20)}s`,
  ];
  if (options.service) args.push("-s", options.service);
  if (options.holdMs !== undefined) args.push("-d", String(options.holdMs));
  args.push(options.remote);
  const started = performance.now();
  const child = children.spawn(args, options.cpu, { cwd: runDir });
  const output = tail(child);
  let cpuSeconds = 0;
  const poll = setInterval(() => {
    if (child.pid !== undefined) cpuSeconds = usageOf([child.pid]).cpuSeconds || cpuSeconds;
  }, 200);
  const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  const rows = readStatRows(statsFile);
  const last = counters(rows.at(-1));
  if (rows.length === 0) {
    throw new Error(`SIPp (${options.scenario}) wrote no statistics; exit ${code ?? signal}:\n${output()}`);
  }
  const creation = secondsToCreate(rows, options.calls);
  return {
    counters: last,
    achievedRate: creation && creation > 0 ? options.calls / creation : last.created / seconds,
    seconds,
    cpuSeconds,
    output: output(),
    admissionMs: readResponseTimes(runDir, "admission"),
  };
}

/** The samples of one named response time (rtd) from SIPp's -trace_rtt files in `dir`, ms. */
function readResponseTimes(dir: string, name: string): number[] {
  const samples: number[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith("_rtt.csv"))) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n").slice(1)) {
      const [, ms, rtd] = line.split(";");
      if (rtd?.trim() === name && ms !== undefined && Number.isFinite(Number(ms))) samples.push(Number(ms));
    }
  }
  return samples;
}

/** The value below which `share` of the samples lie (nearest rank), or undefined without samples. */
export function percentile(samples: readonly number[], share: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))];
}

/** A SIPp UAS standing in for the carrier: answers every call until stopped. */
export class SippUas {
  readonly #child: ChildProcess;
  readonly #statsFile: string;
  readonly output: () => string;

  constructor(
    private readonly children: Children,
    options: {
      localIp: string;
      localPort: number;
      mediaPort: number;
      statsDir: string;
      cpu: Cpu;
      name: string;
    },
  ) {
    this.#statsFile = join(options.statsDir, `uas-${options.name}.csv`);
    this.#child = children.spawn(
      [
        "sipp",
        "-sf",
        join(SCENARIOS, "uas-answer.xml"),
        // Answers the OPTIONS Zaqros probes carriers with; a carrier that does not answer leaves routing.
        "-aa",
        ...commonArgs(
          options.localIp,
          options.localPort,
          options.mediaPort,
          this.#statsFile,
          join(options.statsDir, `uas-${options.name}-errors.log`),
        ),
      ],
      options.cpu,
    );
    this.output = tail(this.#child);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Counters as of SIPp's last once-a-second statistics line. */
  counters(): SippCounters {
    return counters(readStatRows(this.#statsFile).at(-1));
  }

  async stop(): Promise<void> {
    await this.children.stop(this.#child, 2_000);
  }
}
