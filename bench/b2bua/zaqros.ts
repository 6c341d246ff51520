import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openServices } from "@zaqros/server";
import SQLite from "better-sqlite3";
import { loadConfig } from "../../packages/server/src/config/config.ts";
import { type Children, type Cpu, tail } from "./processes.ts";

const ZAQROS_BIN = fileURLToPath(new URL("../../packages/server/bin/zaqros.mjs", import.meta.url));

export interface SipUser {
  username: string;
  password: string;
}

export interface ZaqrosSettings {
  dataDir: string;
  domain: string;
  address: string;
  sipPort: number;
  httpPort: number;
  rtpPorts: string;
}

/** The environment `zaqros start` and the provisioning share: one data dir, one SIP domain. */
function environment(settings: ZaqrosSettings): Record<string, string> {
  return {
    ZAQROS_DATA_DIR: settings.dataDir,
    ZAQROS_SIP_DOMAIN: settings.domain,
    ZAQROS_BIND_ADDRESS: settings.address,
    ZAQROS_PUBLIC_HOST: settings.address,
    ZAQROS_SIP_PORT: String(settings.sipPort),
    ZAQROS_SIP_TLS_PORT: String(settings.sipPort + 1),
    ZAQROS_HTTP_PORT: String(settings.httpPort),
    ZAQROS_RTP_PORTS: settings.rtpPorts,
    // SIPp 3.6 answers only the first challenge and knows only MD5.
    ZAQROS_SIP_DIGEST_ALGORITHMS: "MD5,SHA-256",
    ZAQROS_LOG_LEVEL: "warn",
    ZAQROS_LOG_FORMAT: "json",
  };
}

/**
 * Provisions what the operator CLI would (`account create`, `device create`, `carrier add`,
 * `carrier routes import`, `did add`), through the same services the CLI calls, in this process:
 * the CLI starts a process per command, which would take minutes for hundreds of devices.
 */
export async function provisionZaqros(
  settings: ZaqrosSettings,
  plan: { users: number; devicesPerAccount: number; carrier: { host: string; port: number }; prefix: string },
): Promise<SipUser[]> {
  const retailPlan = "bench-retail";
  const config = loadConfig({ env: { ...environment(settings), DATABASE_URL: undefined } });
  const { services, close } = await openServices(config);
  try {
    const carrier = await services.carriers.add({
      name: "bench-carrier",
      host: plan.carrier.host,
      port: plan.carrier.port,
      transport: "udp",
      addresses: [plan.carrier.host],
    });
    await services.carriers.importDeck(carrier.id, `prefix,cost_per_minute\n${plan.prefix},0.0100\n`);
    // Calls are rated and charged in real time: every account needs a retail plan and credit.
    await services.rating.importDeck(
      retailPlan,
      `prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment\n${plan.prefix},0.10,0,1,1\n`,
      { currency: "USD" },
    );
    const users: SipUser[] = [];
    let accountId = "";
    for (let i = 0; i < plan.users; i++) {
      if (i % plan.devicesPerAccount === 0) {
        const account = await services.accounts.create({
          name: `Bench customer ${i / plan.devicesPerAccount}`,
          email: `bench-${i}@example.com`,
          country: "US",
        });
        accountId = account.id;
        await services.rating.assignPlan(accountId, retailPlan);
        await services.ledger.credit(accountId, "100000", {
          reason: "bench top-up",
          actor: "bench",
          kind: "topup",
        });
        const did = `+1415555${String(i / plan.devicesPerAccount).padStart(4, "0")}`;
        await services.numbers.assign(did, accountId);
      }
      const device = await services.devices.provision(accountId);
      users.push({ username: device.username, password: device.password });
    }
    return users;
  } finally {
    await close();
  }
}

/** Rows in the tables the benchmark makes Zaqros write, read from its SQLite file once it has stopped. */
export function countRows(dataDir: string): { cdrs: number; registrations: number; ledgerEntries: number } {
  const db = new SQLite(join(dataDir, "zaqros.db"), { readonly: true });
  try {
    const count = (table: string) =>
      (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return {
      cdrs: count("cdrs"),
      registrations: count("registrations"),
      ledgerEntries: count("ledger_entries"),
    };
  } finally {
    db.close();
  }
}

/** A running `zaqros start`. */
export class ZaqrosServer {
  /** Warnings and errors it logged (pino JSON lines at level 40 or above), by message. */
  readonly warnings = new Map<string, number>();

  private constructor(
    private readonly children: Children,
    readonly child: ChildProcess,
    readonly output: () => string,
  ) {
    let partial = "";
    const read = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string };
          if ((entry.level ?? 0) < 40) continue;
          const message = entry.msg ?? "(no message)";
          this.warnings.set(message, (this.warnings.get(message) ?? 0) + 1);
        } catch {
          // Not a log line.
        }
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
  }

  /**
   * Starts `node packages/server/bin/zaqros.mjs start` pinned to `cpu` and waits until it says it
   * is running. `nodeFlags` go to node (e.g. --cpu-prof, --import of the query census).
   */
  static async start(
    children: Children,
    settings: ZaqrosSettings,
    cpu: Cpu,
    nodeFlags: readonly string[] = [],
    extraEnv: Record<string, string> = {},
  ): Promise<ZaqrosServer> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...environment(settings), ...extraEnv };
    delete env.DATABASE_URL;
    delete env.ZAQROS_CONFIG_FILE;
    const child = children.spawn([process.execPath, ...nodeFlags, ZAQROS_BIN, "start"], cpu, { env });
    const output = tail(child);
    const server = new ZaqrosServer(children, child, output);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`zaqros did not start in 90 s:\n${output()}`)), 90_000);
      const onData = (chunk: Buffer) => {
        if (!chunk.toString().includes("Zaqros is running")) return;
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        resolve();
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`zaqros exited (${code ?? signal}) while starting:\n${output()}`));
      });
    });
    return server;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Graceful stop (SIGTERM), which also lets node write a --cpu-prof profile. */
  async stop(): Promise<void> {
    await this.children.stop(this.child, 20_000);
  }
}
