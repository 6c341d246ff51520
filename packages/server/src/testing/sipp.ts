import { spawn } from "node:child_process";
import { join } from "node:path";

export interface SippRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SippOptions {
  /** Scenario file name in edges/sip/interop/scenarios, or a built-in (`uas`, `uac`) with `builtin`. */
  scenario: string;
  /** host:port SIPp sends to (UAC), or nothing for a UAS. */
  remote?: string;
  localIp: string;
  localPort: number;
  transport?: "udp" | "tcp";
  /** The -s service: user part of the Request-URI. */
  service?: string;
  auth?: { username: string; password: string };
  variables?: Record<string, string>;
  calls?: number;
  /** Calls started per second (-r) and the most at once (-l). */
  rate?: number;
  limit?: number;
  /** How long the scenario's <pause/> lasts, in milliseconds. */
  pauseMs?: number;
  timeoutSeconds?: number;
}

const SCENARIOS = new URL("../edges/sip/interop/scenarios/", import.meta.url).pathname;

/**
 * Runs SIPp (Debian's sip-tester) once. It exits 0 when every call passed the scenario,
 * 1 when any failed; the test checks the exit code.
 */
export function runSipp(options: SippOptions): { done: Promise<SippRun>; kill: () => void } {
  const args = [
    "-sf",
    join(SCENARIOS, options.scenario),
    "-i",
    options.localIp,
    "-mi",
    options.localIp,
    "-p",
    String(options.localPort),
    "-t",
    options.transport === "tcp" ? "t1" : "u1",
    "-m",
    String(options.calls ?? 1),
    "-timeout",
    `${options.timeoutSeconds ?? 15}s`,
    "-timeout_error",
    "-nostdin",
    "-trace_err",
    "-error_file",
    `/tmp/sipp-${process.pid}-${options.localPort}-errors.log`,
  ];
  if (options.service) args.push("-s", options.service);
  if (options.rate !== undefined) args.push("-r", String(options.rate));
  if (options.limit !== undefined) args.push("-l", String(options.limit));
  if (options.pauseMs !== undefined) args.push("-d", String(options.pauseMs));
  if (options.auth) args.push("-au", options.auth.username, "-ap", options.auth.password);
  for (const [name, value] of Object.entries(options.variables ?? {})) args.push("-set", name, value);
  if (options.remote) args.push(options.remote);
  const child = spawn("sipp", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<SippRun>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { done, kill: () => child.kill("SIGKILL") };
}
