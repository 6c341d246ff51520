import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { groupMembers } from "./process-usage.ts";
import { type Children, type Cpu, leadsGroup, tail } from "./processes.ts";
import { sipAnswers } from "./sip-ping.ts";
import type { SipUser } from "./zaqros.ts";

const CONFIG = fileURLToPath(new URL("./kamailio.cfg", import.meta.url));

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

/** Writes the db_text tables auth_db reads: `version` and `subscriber` with HA1 values only. */
function writeSubscribers(directory: string, realm: string, users: readonly SipUser[]): void {
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, "version"),
    "id(int,auto) table_name(string) table_version(int) \n1:subscriber:7\n",
  );
  const rows = users.map(
    (user, index) =>
      `${index + 1}:${user.username}:${realm}:-:${md5(`${user.username}:${realm}:${user.password}`)}:` +
      `${md5(`${user.username}@${realm}:${realm}:${user.password}`)}`,
  );
  writeFileSync(
    join(directory, "subscriber"),
    `id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) \n${rows.join("\n")}\n`,
  );
}

/** Kamailio 5.6 running bench/b2bua/kamailio.cfg in the foreground (-DD -E), in its own process group. */
export class KamailioServer {
  private constructor(
    private readonly children: Children,
    readonly child: ChildProcess,
    readonly output: () => string,
  ) {}

  static async start(
    children: Children,
    options: {
      workDir: string;
      address: string;
      port: number;
      realm: string;
      carrier: { host: string; port: number };
      users: readonly SipUser[];
      cpu: Cpu;
    },
  ): Promise<KamailioServer> {
    const dbDir = join(options.workDir, "db");
    const runDir = join(options.workDir, "run");
    mkdirSync(runDir, { recursive: true });
    writeSubscribers(dbDir, options.realm, options.users);
    const defines = {
      BENCH_LISTEN: `udp:${options.address}:${options.port}`,
      BENCH_DBURL: `"text://${dbDir}"`,
      BENCH_REALM: `"${options.realm}"`,
      BENCH_CARRIER: `"sip:${options.carrier.host}:${options.carrier.port}"`,
    };
    const child = leadsGroup(
      children.spawn(
        [
          "kamailio",
          "-DD",
          "-E",
          "-f",
          CONFIG,
          "-m",
          "512",
          "-M",
          "32",
          "-w",
          options.workDir,
          "-Y",
          runDir,
          ...Object.entries(defines).flatMap(([name, value]) => ["-A", `${name}=${value}`]),
        ],
        options.cpu,
        { detached: true },
      ),
    );
    const output = tail(child);
    const server = new KamailioServer(children, child, output);
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 20_000;
      child.once("exit", (code, signal) =>
        reject(new Error(`kamailio exited (${code ?? signal}) while starting:\n${output()}`)),
      );
      // Ready once its worker answers: our config answers OPTIONS with 405.
      const poll = async () => {
        while (child.exitCode === null && child.signalCode === null) {
          if (await sipAnswers(options.address, options.port)) return resolve();
          if (Date.now() > deadline) return reject(new Error(`kamailio did not start in 20 s:\n${output()}`));
        }
      };
      void poll();
    });
    return server;
  }

  /** Kamailio's main process and every process it forked (worker, timers). */
  pids(): number[] {
    return this.child.pid === undefined ? [] : groupMembers(this.child.pid);
  }

  async stop(): Promise<void> {
    await this.children.stop(this.child, 5_000);
  }
}
