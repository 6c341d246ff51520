/**
 * Runs SIPp (Debian package sip-tester) against an element on loopback and reports what it
 * counted, for the interop tests.
 */
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const sippBinary = "/usr/bin/sipp";

export interface SippOptions {
  /** A scenario file, or the name of one of SIPp's built-in scenarios (`uac` ...). */
  scenario: { file: string } | { builtin: string };
  transport: "udp" | "tcp";
  /** The element under test. */
  remote: { address: string; port: number };
  /** Calls to place (`-m`). Default 1. */
  calls?: number;
  /** SIPp's global timeout, after which it fails (`-timeout ... -timeout_error`). Default 5 s. */
  timeoutSeconds?: number;
}

export interface SippResult {
  /** 0 when every call succeeded; 1 when one failed; 255 (fatal) on a scenario error. */
  exitCode: number | null;
  /** From the statistics file SIPp writes at exit; undefined when it wrote none. */
  successfulCalls: number | undefined;
  failedCalls: number | undefined;
  /** SIPp's screen output and error log, to explain a failure. */
  output: string;
}

/** A port free for both UDP and TCP on 127.0.0.1 when probed (another process may take it later). */
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const socket = createSocket("udp4");
    const udpFree = await new Promise<boolean>((resolve) => {
      socket.once("error", () => resolve(false));
      socket.bind(port, "127.0.0.1", () => resolve(true));
    });
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (udpFree) return port;
  }
}

function statisticsCount(csv: string, column: string): number | undefined {
  const lines = csv.split("\n").filter((line) => line.trim() !== "");
  const header = lines[0]?.split(";");
  const last = lines.at(-1)?.split(";");
  if (header === undefined || last === undefined || lines.length < 2) return undefined;
  const index = header.indexOf(column);
  const value = index < 0 ? undefined : last[index];
  return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
}

/** Runs one SIPp client in a scratch directory on free local ports and waits for it to exit. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  const directory = await mkdtemp(join(tmpdir(), "zaqros-sipp-"));
  try {
    const timeout = options.timeoutSeconds ?? 5;
    const args = [
      `${options.remote.address}:${options.remote.port}`,
      ...("file" in options.scenario ? ["-sf", options.scenario.file] : ["-sn", options.scenario.builtin]),
      "-t",
      options.transport === "udp" ? "u1" : "t1",
      "-i",
      "127.0.0.1",
      "-p",
      String(await freePort()),
      "-mp",
      String(await freePort()),
      "-m",
      String(options.calls ?? 1),
      "-timeout",
      `${timeout}s`,
      "-timeout_error",
      "-nostdin",
      "-trace_stat",
      "-stf",
      "stats.csv",
      "-trace_err",
    ];
    const child = spawn(sippBinary, args, { cwd: directory, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    // SIPp stops itself at its own timeout; this only guards against it hanging.
    const guard = setTimeout(() => child.kill("SIGKILL"), (timeout + 10) * 1000);
    const [exitCode] = (await once(child, "exit")) as [number | null];
    clearTimeout(guard);
    const files = await readdir(directory);
    const csv = files.includes("stats.csv") ? await readFile(join(directory, "stats.csv"), "utf8") : "";
    for (const file of files.filter((name) => name.endsWith("_errors.log"))) {
      output += await readFile(join(directory, file), "utf8");
    }
    return {
      exitCode,
      successfulCalls: statisticsCount(csv, "SuccessfulCall(C)"),
      failedCalls: statisticsCount(csv, "FailedCall(C)"),
      output,
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
