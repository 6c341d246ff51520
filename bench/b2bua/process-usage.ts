import { readdirSync, readFileSync } from "node:fs";

/** Linux reports CPU times in clock ticks of 1/100 s (CLK_TCK) on every architecture we run on. */
const TICKS_PER_SECOND = 100;

/** CPU time and resident memory of a set of processes, read from /proc. */
export interface Usage {
  cpuSeconds: number;
  /** Resident memory, proportional (PSS): shared pages split among the processes sharing them. */
  rssBytes: number;
  /** Time their main threads were ready to run but waited for a CPU (schedstat), seconds. */
  runQueueSeconds: number;
}

function readStat(pid: number): { pgrp: number; cpuTicks: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses; the fields after its last ")" are fixed.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { pgrp: Number(fields[2]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

/**
 * Proportional set size: resident memory with pages shared between processes split among them, so
 * Kamailio's processes, which share one memory segment, are not counted several times.
 */
function readPss(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Run-queue wait of the process's main thread, in nanoseconds (the second field of schedstat). Only
 * the main thread: a pinned Node process's own helper threads (GC, libuv) queue behind it on the
 * same CPU, which says nothing about other work on the machine.
 */
function readRunQueueWait(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[1]) || 0;
  } catch {
    return 0;
  }
}

/** The processes of a process group (a forking server and its workers). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && readStat(pid)?.pgrp === pgid) members.push(pid);
  }
  return members;
}

/** Summed CPU time and RSS of `pids` now. */
export function usageOf(pids: readonly number[]): Usage {
  let ticks = 0;
  let rssBytes = 0;
  let waitNs = 0;
  for (const pid of pids) {
    ticks += readStat(pid)?.cpuTicks ?? 0;
    rssBytes += readPss(pid);
    waitNs += readRunQueueWait(pid);
  }
  return { cpuSeconds: ticks / TICKS_PER_SECOND, rssBytes, runQueueSeconds: waitNs / 1e9 };
}

/** The busy share of each CPU between two readings of /proc/stat (`cpu0`, `cpu1`, ...). */
export class CpuLoad {
  #before = CpuLoad.#read();

  static #read(): Map<string, { busy: number; total: number }> {
    const cpus = new Map<string, { busy: number; total: number }>();
    for (const line of readFileSync("/proc/stat", "utf8").split("\n")) {
      const match = /^(cpu\d+)\s+(.*)$/.exec(line);
      if (!match) continue;
      const ticks = match[2]!.split(" ").map(Number);
      const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
      const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
      cpus.set(match[1]!, { busy: total - idle, total });
    }
    return cpus;
  }

  /** Busy share per CPU since the last call (or construction). */
  sample(): Map<string, number> {
    const now = CpuLoad.#read();
    const shares = new Map<string, number>();
    for (const [cpu, after] of now) {
      const before = this.#before.get(cpu);
      if (!before || after.total === before.total) continue;
      shares.set(cpu, (after.busy - before.busy) / (after.total - before.total));
    }
    this.#before = now;
    return shares;
  }
}
