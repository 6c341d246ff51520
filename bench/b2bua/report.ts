import { summariseProfile } from "./cpu-profile.ts";
import type { LoadStep } from "./load-step.ts";
import type { ScenarioName, ServerName } from "./options.ts";
import type { StatementTally } from "./query-census.ts";
import type { RampResult, Verdict } from "./ramp.ts";

/** One server's search through one scenario. */
export interface ScenarioResult {
  server: ServerName;
  scenario: ScenarioName;
  ramp: RampResult<LoadStep>;
  /** The warm-up's parts, not counted. */
  warmUp: LoadStep[];
  rssAtEndBytes: number;
  /** The main thread's .cpuprofile, and how long start-up took (left out of the summary). */
  profile?: { file: string; startupSeconds: number };
  /** Every SQL statement the server ran during the scenario (--census). */
  census?: StatementTally[];
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const pct = (share: number, digits = 0) => `${(share * 100).toFixed(digits)}%`;

export function printStepHeader(): void {
  console.log(
    "      rate     calls      ok  failed   fail%  achieved answer ms  adm p50/p99  retrans  server CPU  CPU ms/call  server RSS  SIPp CPU  CPU0 other  waited  verdict",
  );
}

export function printStep(s: LoadStep, note?: string): void {
  const verdicts: Record<Verdict, string> = {
    pass: "pass",
    fail: "FAIL",
    "generator-limited": "SIPp limit",
  };
  console.log(
    [
      String(s.rate).padStart(10),
      String(s.calls).padStart(9),
      String(s.successful).padStart(7),
      String(s.failed).padStart(7),
      pct(s.failed / Math.max(1, s.calls), 2).padStart(7),
      s.achievedRate.toFixed(0).padStart(9),
      (s.meanAnswerMs === undefined ? "-" : s.meanAnswerMs.toFixed(1)).padStart(9),
      (s.admissionP50Ms === undefined
        ? "-"
        : `${s.admissionP50Ms.toFixed(0)}/${(s.admissionP99Ms ?? 0).toFixed(0)}`
      ).padStart(12),
      String(s.retransmissions).padStart(8),
      pct(s.serverCpuPeak).padStart(11),
      s.cpuMsPerCall.toFixed(3).padStart(12),
      mib(s.serverRssBytes).padStart(11),
      pct(s.sippCpu).padStart(9),
      (s.otherLoadOnServerCpu === undefined ? "-" : pct(s.otherLoadOnServerCpu)).padStart(11),
      pct(s.runQueueShare).padStart(7),
      ` ${note ?? verdicts[s.verdict]}`,
    ].join(" "),
  );
}

export function printProfile(result: ScenarioResult): void {
  if (!result.profile) return;
  const summary = summariseProfile(result.profile.file, result.profile.startupSeconds, 15);
  console.log(
    `\nPROFILE zaqros ${result.scenario}: ${summary.sampledSeconds.toFixed(1)} s of CPU sampled after start-up ` +
      `(${result.profile.file}; lines of the sources tsx compiled)`,
  );
  console.log("  self time by layer:");
  for (const entry of summary.selfByLayer)
    console.log(`    ${pct(entry.share, 1).padStart(6)}  ${entry.name}`);
  console.log("  self time by function:");
  for (const entry of summary.selfByFunction)
    console.log(`    ${pct(entry.share, 1).padStart(6)}  ${entry.name}`);
  console.log("  self time by file or package:");
  for (const entry of summary.selfByPlace)
    console.log(`    ${pct(entry.share, 1).padStart(6)}  ${entry.name}`);
  console.log("  inclusive time, Zaqros code (a function and all it calls):");
  for (const entry of summary.inclusiveOurs)
    console.log(`    ${pct(entry.share, 1).padStart(6)}  ${entry.name}`);
}

/** True when a step above the best rate failed: the best rate is the server's limit, not a floor. */
function limitFound(result: ScenarioResult): boolean {
  const best = result.ramp.best?.rate ?? 0;
  return result.ramp.steps.some((step) => step.verdict === "fail" && step.rate > best);
}

/**
 * The ratio and whether it meets the goal. A server whose search ended without a failing step
 * (SIPp limit, step or time budget) gave a floor, so the ratio is a bound, or unknown.
 */
function judgeRatio(zaqros: ScenarioResult, kamailio: ScenarioResult): string {
  const z = zaqros.ramp.best?.rate ?? 0;
  const k = kamailio.ramp.best?.rate;
  if (k === undefined) return "not known: no Kamailio step passed";
  const ratio = (z / k).toFixed(2);
  const zaqrosExact = limitFound(zaqros);
  const kamailioExact = limitFound(kamailio);
  const goal = 0.5;
  if (zaqrosExact && kamailioExact)
    return `${ratio} -> goal (at least ${goal}) ${z / k >= goal ? "MET" : "NOT MET"}`;
  if (zaqrosExact && z / k < goal) {
    return `at most ${ratio} (Kamailio's limit is higher than measured) -> goal NOT MET`;
  }
  if (kamailioExact && z / k >= goal) {
    return `at least ${ratio} (Zaqros' limit is higher than measured) -> goal MET`;
  }
  const unreached =
    !zaqrosExact && !kamailioExact
      ? "neither server reached its limit"
      : zaqrosExact
        ? "Kamailio did not reach its limit"
        : "Zaqros did not reach its limit";
  return `not known: ${unreached} (${ratio} from the floors)`;
}

/**
 * Calls a whole core would carry at the CPU cost per call of the busiest step that passed: a
 * projection, not a measurement, but one that other work on the machine disturbs far less.
 */
function projected(result: ScenarioResult): number | undefined {
  const best = result.ramp.best;
  return best && best.cpuMsPerCall > 0 ? 1000 / best.cpuMsPerCall : undefined;
}

export function summarise(results: readonly ScenarioResult[], rule: string): void {
  console.log(`\nSUMMARY (highest rate that passed: ${rule}; servers on one core)`);
  for (const scenario of ["calls", "registers"] as const) {
    const of = (server: ServerName) => results.find((r) => r.server === server && r.scenario === scenario);
    const zaqros = of("zaqros");
    const kamailio = of("kamailio");
    if (!zaqros && !kamailio) continue;
    const unit = scenario === "calls" ? "calls/s" : "REGISTER/s";
    const describe = (r: ScenarioResult | undefined) => {
      if (!r) return "not run";
      const best = r.ramp.best;
      if (!best) return `no rate passed (${r.ramp.stop})`;
      const floor = limitFound(r) ? "" : ` or more (${r.ramp.stop})`;
      return (
        `${best.rate} ${unit}${floor}, server CPU ${pct(best.serverCpuPeak)}, ` +
        `${best.cpuMsPerCall.toFixed(3)} ms CPU a call, waited ${pct(best.runQueueShare)} for the CPU, ` +
        `RSS ${mib(r.rssAtEndBytes)}` +
        (best.admissionP50Ms === undefined
          ? ""
          : `, admission (INVITE with credentials to 180) p50 ${best.admissionP50Ms.toFixed(0)} ms, ` +
            `p99 ${(best.admissionP99Ms ?? 0).toFixed(0)} ms`)
      );
    };
    console.log(`RESULT ${scenario}: zaqros ${describe(zaqros)}`);
    console.log(`RESULT ${scenario}: kamailio ${describe(kamailio)}`);
    if (zaqros && kamailio)
      console.log(`RESULT ${scenario}: ratio zaqros/kamailio ${judgeRatio(zaqros, kamailio)}`);
    const z = zaqros && projected(zaqros);
    const k = kamailio && projected(kamailio);
    const each = [
      z === undefined ? undefined : `zaqros ${z.toFixed(0)}`,
      k === undefined ? undefined : `kamailio ${k.toFixed(0)}`,
    ].filter(Boolean);
    if (each.length > 0) {
      console.log(
        `RESULT ${scenario}: projected on a whole core from CPU per call (not measured): ${each.join(", ")} ` +
          `${unit}${z !== undefined && k !== undefined ? `, ratio ${(z / k).toFixed(2)}` : ""}`,
      );
    }
  }
}
