import { readdirSync, readFileSync, statSync } from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The parts of V8's .cpuprofile (written by `node --cpu-prof`) this summary reads. */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

type CallFrame = CpuProfile["nodes"][number]["callFrame"];

export interface ProfileEntry {
  name: string;
  /** Share of the sampled time. */
  share: number;
}

export interface ProfileSummary {
  sampledSeconds: number;
  /** Time spent in the function itself, most first. */
  selfByFunction: ProfileEntry[];
  /** Self time summed per source file or npm package. */
  selfByPlace: ProfileEntry[];
  /** Self time summed per layer: database, SIP library, media, sockets, GC... */
  selfByLayer: ProfileEntry[];
  /** Time in a function of ours and everything it called, most first (our packages only). */
  inclusiveOurs: ProfileEntry[];
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface CompiledVersion {
  mtime: number;
  code: string;
  map: SourceMapPayload;
}

/** Every version of our TypeScript files that tsx compiled, from its cache (`<tmp>/tsx-<uid>/`). */
function tsxCache(): Map<string, CompiledVersion[]> {
  const versions = new Map<string, CompiledVersion[]>();
  let directory: string;
  let names: string[];
  try {
    directory = join(tmpdir(), `tsx-${userInfo().uid}`);
    names = readdirSync(directory);
  } catch {
    return versions;
  }
  for (const name of names) {
    const path = join(directory, name);
    try {
      const mtime = statSync(path).mtimeMs;
      const entry = JSON.parse(readFileSync(path, "utf8")) as { code?: string; map?: SourceMapPayload };
      const source = entry.map?.sources?.[0];
      if (!entry.map || typeof entry.code !== "string" || !source?.startsWith(ROOT)) continue;
      const list = versions.get(source) ?? [];
      list.push({ mtime, code: entry.code, map: entry.map });
      versions.set(source, list);
    } catch {
      // Not a cache entry (pipes, partial writes).
    }
  }
  return versions;
}

/** True when the compiled code names `name` just before `column`, where V8 puts a function's position. */
function namesFunctionAt(code: string, name: string, column: number): boolean {
  const before = code.slice(Math.max(0, column - name.length - 16), column + 1);
  return before.includes(name) || before.includes("constructor");
}

/**
 * Source maps for the files in the profile. tsx emits each module on one line, so the profile's
 * positions mean nothing without them; several versions of a file may sit in tsx's cache (the tree
 * changes while people work), so the version kept is the one whose code has the profile's function
 * names at the profile's positions.
 */
function sourceMapsFor(frames: readonly CallFrame[]): Map<string, SourceMap> {
  const cache = tsxCache();
  const named = new Map<string, CallFrame[]>();
  for (const frame of frames) {
    if (!frame.functionName || !frame.url.startsWith("file://")) continue;
    const path = fileURLToPath(frame.url);
    named.set(path, [...(named.get(path) ?? []), frame]);
  }
  const maps = new Map<string, SourceMap>();
  for (const [path, versions] of cache) {
    const checks = named.get(path) ?? [];
    let best: { score: number; mtime: number; version: CompiledVersion } | undefined;
    for (const version of versions) {
      const score = checks.filter((f) =>
        namesFunctionAt(version.code, f.functionName, f.columnNumber),
      ).length;
      if (!best || score > best.score || (score === best.score && version.mtime > best.mtime)) {
        best = { score, mtime: version.mtime, version };
      }
    }
    if (best && best.score > 0) maps.set(path, new SourceMap(best.version.map));
  }
  return maps;
}

/** A short place for a script URL: `packages/sip/src/...ts`, `npm:kysely`, `node:internal/...`. */
function place(url: string): string {
  if (!url) return "(native/V8)";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (modules) return `npm:${modules[1]}`;
  if (path.startsWith(ROOT)) return path.slice(ROOT.length);
  return path;
}

/** The layer a frame belongs to, for a coarse split of the time. */
function layer(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith("(") ? functionName : "native code called from JS";
  // query-census.mjs wraps better-sqlite3's calls, so SQLite's own time shows up in its frames.
  if (/node_modules\/(kysely|better-sqlite3)\/|query-census\.mjs$/.test(url)) {
    return "database (kysely, better-sqlite3)";
  }
  if (url.includes("/packages/sip/")) return "SIP library (packages/sip)";
  if (url.includes("/packages/media/") || url.includes("node_modules/sdp-transform/")) {
    return "media relay and SDP (packages/media, sdp-transform)";
  }
  if (url.includes("/packages/server/src/edges/")) return "SIP edge (packages/server/src/edges)";
  if (url.includes("/packages/server/src/")) return "domains and the rest of packages/server";
  if (url.includes("node_modules/libphonenumber-js/")) return "libphonenumber-js";
  if (url.includes("node_modules/")) return "other npm packages";
  if (url === "node:dgram") return "UDP sockets (node:dgram)";
  if (url.startsWith("node:internal/crypto")) return "crypto (node:crypto)";
  return "other Node internals (timers, promises, buffers)";
}

function labeller(maps: Map<string, SourceMap>): (frame: CallFrame) => string {
  return (frame) => {
    const name = frame.functionName || "(anonymous)";
    if (!frame.url) return name;
    const path = frame.url.startsWith("file://") ? fileURLToPath(frame.url) : frame.url;
    const map = maps.get(path);
    let line = frame.lineNumber + 1;
    if (map) {
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
      line = "originalLine" in entry ? entry.originalLine + 1 : 0;
    }
    return `${name} ${place(frame.url)}${line > 0 ? `:${line}` : ""}`;
  };
}

function top(totals: Map<string, number>, all: number, count: number): ProfileEntry[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => ({ name, share: time / all }));
}

/**
 * Reads a .cpuprofile and sums where the time went, leaving out the first `skipSeconds` (start-up:
 * compiling modules, migrations).
 */
export function summariseProfile(file: string, skipSeconds: number, count = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const label = labeller(sourceMapsFor(profile.nodes.map((node) => node.callFrame)));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfByFunction = new Map<string, number>();
  const selfByPlace = new Map<string, number>();
  const selfByLayer = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (totals: Map<string, number>, key: string, time: number) =>
    totals.set(key, (totals.get(key) ?? 0) + time);
  let all = 0;
  let elapsed = 0;
  profile.samples.forEach((id, index) => {
    const time = profile.timeDeltas[index] ?? 0;
    elapsed += time;
    const node = byId.get(id);
    if (elapsed < skipSeconds * 1e6 || !node || node.callFrame.functionName === "(idle)") return;
    all += time;
    add(selfByFunction, label(node.callFrame), time);
    add(selfByPlace, node.callFrame.url ? place(node.callFrame.url) : node.callFrame.functionName, time);
    add(selfByLayer, layer(node.callFrame), time);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame?.url.includes("/packages/") || !frame.functionName) continue;
      const name = label(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      add(inclusive, name, time);
    }
  });
  return {
    sampledSeconds: all / 1e6,
    selfByFunction: top(selfByFunction, all, count),
    selfByPlace: top(selfByPlace, all, count),
    selfByLayer: top(selfByLayer, all, count),
    inclusiveOurs: top(inclusive, all, count),
  };
}
