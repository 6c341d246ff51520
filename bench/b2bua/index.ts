/**
 * B2BUA benchmark: calls per second and REGISTERs per second with digest authentication through
 * Zaqros (`zaqros start`: real services, SQLite database) and, in the same run on the same machine,
 * through Kamailio 5.6 as an authenticating stateful proxy (kamailio.cfg), so the figure is a ratio.
 *
 *   npx tsx bench/b2bua/index.ts [--servers zaqros,kamailio] [--scenarios calls,registers]
 *        [--step-seconds 5] [--hold-ms 1000] [--users 1000] [--calls-start 200] [--registers-start 1000]
 *        [--factor 2] [--resolution 0.1] [--max-steps 10] [--budget-seconds 900] [--failures-only]
 *        [--warm-up-seconds 25]
 *        [--profile] [--census] [--no-pin] [--keep]
 *
 * Servers are pinned to CPU 0, SIPp (phones and carrier) to CPU 1. Loopback only: Zaqros and
 * Kamailio on 127.0.0.1, phones on 127.0.0.2, the carrier on 127.0.0.3. See README.md.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freeSipPort, freeTcpPort, freeUdpPort } from "./free-ports.ts";
import { KamailioServer } from "./kamailio.ts";
import { type LoadStep, loadStep, PHONE_IP, settle, type Target } from "./load-step.ts";
import { type Placement, parseOptions, passRule, type ScenarioName } from "./options.ts";
import { usageOf } from "./process-usage.ts";
import { Children, canPin, pinSelf } from "./processes.ts";
import { printCensus, QUERY_CENSUS_ENV, QUERY_CENSUS_PRELOAD, readCensus } from "./query-census.ts";
import { findHighestRate, type RampResult } from "./ramp.ts";
import { mib, printProfile, printStep, printStepHeader, type ScenarioResult, summarise } from "./report.ts";
import { SippUas } from "./sipp-load.ts";
import { countRows, provisionZaqros, type SipUser, ZaqrosServer, type ZaqrosSettings } from "./zaqros.ts";

const SERVER_IP = "127.0.0.1";
const CARRIER_IP = "127.0.0.3";
const DOMAIN = "bench.zaqros";
/** 64*T1 (32 s, how long a transaction of an overloaded step may live) and a second more. */
const AFTER_FAILURE_MS = 33_000;

const options = parseOptions(process.argv.slice(2));
const pinned = options.pin && canPin();
const placement: Placement = { server: pinned ? 0 : undefined, sipp: pinned ? 1 : undefined };
const children = new Children();

async function runScenario(
  target: Target,
  scenario: ScenarioName,
  files: { users: string; stats: string },
  deadline: number,
): Promise<{ ramp: RampResult<LoadStep>; warmUp: LoadStep[] }> {
  const start = scenario === "calls" ? options.callsStart : options.registersStart;
  console.log(
    `\n${target.name}: ${scenario === "calls" ? `calls/s with digest, each held ${options.holdMs} ms` : "REGISTER/s with digest"}` +
      ` (${options.stepSeconds} s per step; ${passRule(options)})`,
  );
  printStepHeader();
  const context = { children, options, placement, files, phonePort: await freeUdpPort(PHONE_IP) };
  // A cold server fails its first busy seconds, and Zaqros keeps getting cheaper per call for
  // thousands of calls (V8 compiles its hot code in the background, the relay's idle socket pairs
  // fill up): a step run before that measures the start-up, not the server. Two parts, not
  // counted: half the first rate (a cold server may not manage the full one), then the first rate.
  const halfRate = Math.max(1, Math.round(start / 2));
  const warmUpSeconds = options.warmUpSeconds;
  let previous = await loadStep(
    target,
    scenario,
    halfRate,
    context,
    Math.max(1, Math.round(warmUpSeconds * 0.4)),
  );
  printStep(previous, "warm-up, not counted");
  const warmUp = [previous];
  const rest = Math.round(warmUpSeconds * 0.6);
  if (rest > 0) {
    if (previous.verdict !== "pass") await sleep(AFTER_FAILURE_MS);
    await settle(target.pids);
    previous = await loadStep(target, scenario, start, context, rest);
    printStep(previous, "warm-up, not counted");
    warmUp.push(previous);
  }
  const ramp = await findHighestRate(
    async (rate) => {
      // After a failed step, the transactions it left behind live for 64*T1 (32 s): the next step
      // waits them out, on either server, so that it measures its own rate and not the aftermath.
      if (previous.verdict !== "pass") await sleep(AFTER_FAILURE_MS);
      await settle(target.pids);
      const step = await loadStep(target, scenario, rate, context);
      printStep(step);
      previous = step;
      return step;
    },
    {
      start,
      max: 100_000,
      factor: options.factor,
      resolution: options.resolution,
      maxSteps: options.maxSteps,
      deadline,
    },
  );
  return { ramp, warmUp };
}

function writeUsersFile(path: string, users: readonly SipUser[]): void {
  const lines = users.map(
    (u) =>
      `${u.username};${u.password};${DOMAIN};[authentication username=${u.username} password=${u.password}]`,
  );
  writeFileSync(path, `SEQUENTIAL\n${lines.join("\n")}\n`);
}

/** Users for a Kamailio-only run; a full run gives Kamailio the users Zaqros provisioned. */
function generatedUsers(count: number): SipUser[] {
  return Array.from({ length: count }, (_, i) => ({
    username: `bench${String(i).padStart(6, "0")}`,
    password: `pw-${(i * 7919).toString(36)}-bench`,
  }));
}

interface ZaqrosSetup {
  settings: ZaqrosSettings;
  carrierPort: number;
  users: SipUser[];
  usersFile: string;
}

async function provision(workDir: string): Promise<ZaqrosSetup> {
  const settings: ZaqrosSettings = {
    dataDir: join(workDir, "zaqros"),
    domain: DOMAIN,
    address: SERVER_IP,
    sipPort: await freeSipPort(SERVER_IP, 1),
    httpPort: await freeTcpPort(SERVER_IP),
    // Four ports a call (two legs, RTP and RTCP): 2,500 calls at once, above the ranges the
    // relay benchmark (20000-29999) and the voice tests (30000-49999) use, should they run meanwhile.
    rtpPorts: "50000-59999",
  };
  const carrierPort = await freeUdpPort(CARRIER_IP);
  const started = performance.now();
  const users = await provisionZaqros(settings, {
    users: options.users,
    devicesPerAccount: 10,
    carrier: { host: CARRIER_IP, port: carrierPort },
    prefix: "44",
  });
  console.log(
    `\nzaqros: provisioned ${users.length} devices in ${Math.ceil(users.length / 10)} accounts (retail plan, ` +
      `credit), a carrier and its deck in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      `(SQLite in ${settings.dataDir})`,
  );
  const usersFile = join(workDir, "users.csv");
  writeUsersFile(usersFile, users);
  return { settings, carrierPort, users, usersFile };
}

/** One scenario against a fresh `zaqros start` over the provisioned database. */
async function benchZaqros(
  workDir: string,
  setup: ZaqrosSetup,
  scenario: ScenarioName,
  deadline: number,
): Promise<ScenarioResult> {
  const { settings } = setup;
  const profileDir = join(workDir, `profile-${scenario}`);
  const censusFile = join(workDir, `census-${scenario}.json`);
  const flags = [
    ...(options.profile ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
    ...(options.census ? ["--import", QUERY_CENSUS_PRELOAD] : []),
  ];
  const started = performance.now();
  const server = await ZaqrosServer.start(
    children,
    settings,
    placement.server,
    flags,
    options.census ? { [QUERY_CENSUS_ENV]: censusFile } : {},
  );
  const startupSeconds = (performance.now() - started) / 1000;
  let result: ScenarioResult;
  try {
    const uas = new SippUas(children, {
      localIp: CARRIER_IP,
      localPort: setup.carrierPort,
      mediaPort: await freeUdpPort(CARRIER_IP),
      statsDir: workDir,
      cpu: placement.sipp,
      name: `zaqros-${scenario}`,
    });
    try {
      console.log(
        `\nzaqros: \`zaqros start\` (pid ${server.pid}) ready in ${startupSeconds.toFixed(1)} s, ` +
          `RSS ${mib(usageOf([server.pid]).rssBytes)}${options.profile ? ", under --cpu-prof" : ""}` +
          `${options.census ? ", counting SQL statements" : ""}`,
      );
      const { ramp, warmUp } = await runScenario(
        {
          name: "zaqros",
          remote: `${SERVER_IP}:${settings.sipPort}`,
          pids: () => [server.pid],
          carrierPids: () => (uas.pid === undefined ? [] : [uas.pid]),
        },
        scenario,
        { users: setup.usersFile, stats: workDir },
        deadline,
      );
      result = { server: "zaqros", scenario, ramp, warmUp, rssAtEndBytes: usageOf([server.pid]).rssBytes };
      console.log(`  -> ${ramp.stop}; Zaqros RSS now ${mib(result.rssAtEndBytes)}`);
    } finally {
      await uas.stop();
    }
  } finally {
    await server.stop();
  }
  const rows = countRows(settings.dataDir);
  console.log(
    `  database now: ${rows.cdrs} CDRs, ${rows.ledgerEntries} ledger entries, ${rows.registrations} registrations`,
  );
  const warnings = [...server.warnings].map(([message, count]) => `${count}x "${message}"`);
  console.log(`  zaqros logged ${warnings.length === 0 ? "no warnings" : warnings.slice(0, 5).join(", ")}`);
  if (options.census && existsSync(censusFile)) result.census = readCensus(censusFile);
  if (options.profile) {
    // node writes one profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile);
    // thread 0 is the main thread, the others are tsx's module loader.
    const file = readdirSync(profileDir).find((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name));
    if (file) result.profile = { file: join(profileDir, file), startupSeconds: startupSeconds + 1 };
  }
  return result;
}

/** One scenario against a fresh Kamailio with the same users. */
async function benchKamailio(
  workDir: string,
  users: readonly SipUser[],
  usersFile: string,
  scenario: ScenarioName,
  deadline: number,
): Promise<ScenarioResult> {
  const port = await freeUdpPort(SERVER_IP);
  const carrierPort = await freeUdpPort(CARRIER_IP);
  const server = await KamailioServer.start(children, {
    workDir: join(workDir, `kamailio-${scenario}`),
    address: SERVER_IP,
    port,
    realm: DOMAIN,
    carrier: { host: CARRIER_IP, port: carrierPort },
    users,
    cpu: placement.server,
  });
  try {
    const uas = new SippUas(children, {
      localIp: CARRIER_IP,
      localPort: carrierPort,
      mediaPort: await freeUdpPort(CARRIER_IP),
      statsDir: workDir,
      cpu: placement.sipp,
      name: `kamailio-${scenario}`,
    });
    try {
      console.log(
        `\nkamailio: ${server.pids().length} processes (children=1), RSS ${mib(usageOf(server.pids()).rssBytes)}`,
      );
      const { ramp, warmUp } = await runScenario(
        {
          name: "kamailio",
          remote: `${SERVER_IP}:${port}`,
          pids: () => server.pids(),
          carrierPids: () => (uas.pid === undefined ? [] : [uas.pid]),
        },
        scenario,
        { users: usersFile, stats: workDir },
        deadline,
      );
      const rssAtEndBytes = usageOf(server.pids()).rssBytes;
      console.log(`  -> ${ramp.stop}; Kamailio RSS now ${mib(rssAtEndBytes)} (all processes)`);
      return { server: "kamailio", scenario, ramp, warmUp, rssAtEndBytes };
    } finally {
      await uas.stop();
    }
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const began = Date.now();
  const hardDeadline = began + options.budgetSeconds * 1000;
  const workDir = await mkdtemp(join(tmpdir(), "zaqros-bench-b2bua-"));
  const keepWorkDir = options.keep || options.profile || options.census;
  // Also on Ctrl-C, which ends the process from the signal handler in Children.
  if (!keepWorkDir) process.once("exit", () => rmSync(workDir, { recursive: true, force: true }));
  // This process only waits and reads /proc; keep it off the servers' CPU.
  if (pinned) pinSelf(1);
  console.log("B2BUA benchmark: calls/s and REGISTER/s with digest, Zaqros and Kamailio 5.6 (loopback)");
  console.log(
    `node ${process.version}, load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(" ")}, ${pinned ? "servers pinned to CPU 0, SIPp to CPU 1" : "not pinned"}, ` +
      `${options.users} users, ` +
      `work dir ${workDir}`,
  );
  let runsLeft = options.servers.length * options.scenarios.length;
  // Each server-scenario pair gets an equal share of what is left of the budget.
  const deadline = () => Date.now() + (hardDeadline - Date.now()) / Math.max(1, runsLeft--) - 15_000;
  const results: ScenarioResult[] = [];
  try {
    const setup = options.servers.includes("zaqros") ? await provision(workDir) : undefined;
    const users = setup?.users ?? generatedUsers(options.users);
    const usersFile = setup?.usersFile ?? join(workDir, "users.csv");
    if (!setup) writeUsersFile(usersFile, users);
    // Both servers measure one scenario back to back, so they meet similar load from the rest of the machine.
    for (const scenario of options.scenarios) {
      for (const server of options.servers) {
        results.push(
          server === "zaqros"
            ? await benchZaqros(workDir, setup!, scenario, deadline())
            : await benchKamailio(workDir, users, usersFile, scenario, deadline()),
        );
      }
    }
    summarise(results, passRule(options));
    for (const result of results) {
      if (!result.census) continue;
      const units = [...result.warmUp, ...result.ramp.steps].reduce((sum, step) => sum + step.calls, 0);
      const unit = result.scenario === "calls" ? "call" : "registration";
      printCensus(`zaqros ${result.scenario}`, result.census, units, unit);
    }
    for (const result of results) printProfile(result);
    console.log(
      `\nload average at the end ${loadavg()
        .map((load) => load.toFixed(2))
        .join(" ")}; ran ${((Date.now() - began) / 1000).toFixed(0)} s`,
    );
  } finally {
    children.killNow();
    if (keepWorkDir) console.log(`kept ${workDir}`);
  }
}

await main();
