import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";

/** The CPU a process is pinned to, or undefined when pinning is off or taskset is missing. */
export type Cpu = 0 | 1 | undefined;

let tasksetWorks: boolean | undefined;

/** Pins this process (all its threads) to `cpu`. */
export function pinSelf(cpu: 0 | 1): void {
  spawnSync("taskset", ["-a", "-p", "-c", String(cpu), String(process.pid)], { stdio: "ignore" });
}

/** True when `taskset` exists and may set affinities here. */
export function canPin(): boolean {
  tasksetWorks ??= spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" }).status === 0;
  return tasksetWorks;
}

/**
 * Every child the benchmark starts, so each one is ended by its own id when the run finishes,
 * fails, or is interrupted. Children that fork (Kamailio) run in their own process group and the
 * whole group is ended.
 */
export class Children {
  readonly #live = new Set<ChildProcess>();

  constructor() {
    process.once("exit", () => this.killNow());
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(signal, () => {
        this.killNow();
        process.exit(130);
      });
    }
  }

  /** Starts `command` pinned to `cpu` (through taskset, so every thread and fork inherits it). */
  spawn(command: readonly string[], cpu: Cpu, options: SpawnOptions = {}): ChildProcess {
    const argv = cpu === undefined ? command : ["taskset", "-c", String(cpu), ...command];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], ...options });
    this.#live.add(child);
    child.once("exit", () => this.#live.delete(child));
    child.once("error", () => this.#live.delete(child));
    return child;
  }

  /** Asks the child to stop (SIGTERM), then kills it after `graceMs`. Resolves once it has exited. */
  async stop(child: ChildProcess, graceMs = 5_000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    signal(child, "SIGTERM");
    const timer = setTimeout(() => signal(child, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
    // A forking child's workers may outlive their parent for a moment.
    if (isGroupLeader(child)) signal(child, "SIGKILL");
  }

  /** Kills every child still running, at once; for exit paths that cannot wait. */
  killNow(): void {
    for (const child of this.#live) signal(child, "SIGKILL");
    this.#live.clear();
  }
}

const groupLeaders = new WeakSet<ChildProcess>();

/** Marks a child spawned with `detached: true`: signals go to its process group. */
export function leadsGroup(child: ChildProcess): ChildProcess {
  groupLeaders.add(child);
  return child;
}

function isGroupLeader(child: ChildProcess): boolean {
  return groupLeaders.has(child);
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (isGroupLeader(child)) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // Already gone.
  }
}

/** Collects a child's output, keeping only the last `limit` characters. */
export function tail(child: ChildProcess, limit = 20_000): () => string {
  let text = "";
  const add = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.length > limit * 2) text = text.slice(-limit);
  };
  child.stdout?.on("data", add);
  child.stderr?.on("data", add);
  return () => text.slice(-limit);
}
