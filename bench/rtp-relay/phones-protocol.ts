/**
 * The line protocol between the benchmark (the relay's process) and the phones process, on the
 * phones' stdin and stdout. Both phones implementations (phones.c, phones.ts) speak it:
 *
 *   phones: ready <caller-side ports...> | <callee-side ports...>
 *   bench:  calls <N>, then N lines "<caller-leg relay port> <callee-leg relay port>"
 *   phones: calls-set
 *   bench:  run <step> <packets per second> <duration ms>
 *   phones: sent   (when sending stops; the phones then wait for packets still on their way)
 *   phones: result <sent> <received> <seconds> <drain ms> <cpu share>
 *   bench:  stop
 */

/** One simulated call as the phones see it: the relay ports its two phones send to. */
export interface CallTarget {
  readonly callerLegPort: number;
  readonly calleeLegPort: number;
}

export interface PhonesReady {
  /** Where the callers receive (one socket serves many calls). */
  readonly callerPorts: readonly number[];
  readonly calleePorts: readonly number[];
}

export interface PhonesResult {
  /** Datagrams handed to the kernel by the phones. */
  readonly sent: number;
  /** Datagrams of this step that came back through the relay. */
  readonly received: number;
  /** How long the sending lasted. */
  readonly seconds: number;
  /** How long the phones then waited until nothing more came back. */
  readonly drainMs: number;
  /** CPU the phones used while sending, as a share of one core. */
  readonly cpuShare: number;
}

export function formatReady(ready: PhonesReady): string {
  return `ready ${ready.callerPorts.join(" ")} | ${ready.calleePorts.join(" ")}\n`;
}

export function parseReady(line: string): PhonesReady {
  const [callers, callees] = line.replace(/^ready /, "").split("|");
  const ports = (text = "") => text.trim().split(/\s+/).map(Number);
  return { callerPorts: ports(callers), calleePorts: ports(callees) };
}

export function formatCalls(calls: readonly CallTarget[]): string {
  return `calls ${calls.length}\n${calls.map((call) => `${call.callerLegPort} ${call.calleeLegPort}\n`).join("")}`;
}

export function formatRun(step: number, packetsPerSecond: number, durationMs: number): string {
  return `run ${step} ${packetsPerSecond} ${durationMs}\n`;
}

export function formatResult(result: PhonesResult): string {
  return `result ${result.sent} ${result.received} ${result.seconds} ${result.drainMs} ${result.cpuShare}\n`;
}

export function parseResult(line: string): PhonesResult {
  const [sent, received, seconds, drainMs, cpuShare] = line
    .replace(/^result /, "")
    .split(" ")
    .map(Number);
  return { sent: sent!, received: received!, seconds: seconds!, drainMs: drainMs!, cpuShare: cpuShare! };
}
