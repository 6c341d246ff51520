import type { Cpu } from "./processes.ts";

export type ServerName = "zaqros" | "kamailio";
export type ScenarioName = "calls" | "registers";

/** The command line of bench/b2bua (README.md lists every flag). */
export type BenchOptions = ReturnType<typeof parseOptions>;

export function parseOptions(args: string[]) {
  const value = (name: string, fallback: number) => {
    const index = args.indexOf(name);
    if (index === -1) return fallback;
    const parsed = Number(args[index + 1]);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} needs a positive number`);
    return parsed;
  };
  const list = <T extends string>(name: string, allowed: readonly T[]): T[] => {
    const index = args.indexOf(name);
    if (index === -1) return [...allowed];
    const chosen = (args[index + 1] ?? "").split(",") as T[];
    for (const item of chosen) {
      if (!allowed.includes(item)) throw new Error(`${name} takes ${allowed.join(",")}, not "${item}"`);
    }
    return chosen;
  };
  return {
    servers: list<ServerName>("--servers", ["zaqros", "kamailio"]),
    scenarios: list<ScenarioName>("--scenarios", ["calls", "registers"]),
    stepSeconds: value("--step-seconds", 5),
    holdMs: value("--hold-ms", 1000),
    users: Math.round(value("--users", 1000)),
    callsStart: value("--calls-start", 200),
    registersStart: value("--registers-start", 1000),
    factor: value("--factor", 2),
    resolution: value("--resolution", 0.1),
    maxSteps: Math.round(value("--max-steps", 10)),
    budgetSeconds: value("--budget-seconds", 900),
    warmUpSeconds: value("--warm-up-seconds", 25),
    profile: args.includes("--profile"),
    census: args.includes("--census"),
    failuresOnly: args.includes("--failures-only"),
    pin: !args.includes("--no-pin"),
    keep: args.includes("--keep"),
  };
}

/** Where the servers and SIPp run. */
export interface Placement {
  server: Cpu;
  sipp: Cpu;
}

export function passRule(options: BenchOptions): string {
  return options.failuresOnly
    ? "pass = under 0.1% of calls failed"
    : "pass = under 0.1% of calls failed, under 1% retransmitted (answer later than 500 ms) and a mean answer time under 100 ms";
}
