import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

export interface BaresipOptions {
  /** A label for diagnostics. */
  name: string;
  username: string;
  password: string;
  /** `host:port` of the registrar, which is also the account's domain. */
  registrar: string;
  /** The network interface baresip binds to and the loopback address it holds. */
  netInterface: string;
  listenAddress: string;
  /** The RTP port range, inclusive. */
  rtpPorts: readonly [number, number];
  /** baresip quits by itself after this long, whatever happens to the test (default 60 s). */
  maxLifetimeSeconds?: number;
}

/** One event baresip's ctrl_tcp module reports (`REGISTER_OK`, `CALL_ESTABLISHED`, `CALL_CLOSED` ...). */
export interface BaresipEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  id?: string;
  param?: string;
}

interface CommandResponse {
  ok: boolean;
  data: string;
}

/**
 * A baresip 1.0 user agent in a child process, with a config directory of its own, driven through
 * its ctrl_tcp module: commands go in, and responses and events come back as netstring-framed JSON.
 *
 * Audio is a sine tone (`ausine`) sent as PCMU; what it receives goes to an `aubridge` device that
 * nothing reads. The account answers incoming calls by itself.
 */
export class Baresip {
  readonly events: BaresipEvent[] = [];
  private output = "";
  private control: Socket | undefined;
  private pending = new Map<string, (response: CommandResponse) => void>();
  private nextToken = 1;
  private waiters = new Set<() => void>();
  private exited = false;

  private constructor(
    readonly options: BaresipOptions,
    readonly sipPort: number,
    private readonly child: ChildProcess,
    private readonly configDir: string,
  ) {
    child.stdout?.on("data", (chunk) => this.record(String(chunk)));
    child.stderr?.on("data", (chunk) => this.record(String(chunk)));
    process.on("exit", this.killOnExit);
    child.on("error", (error) => {
      this.record(`[spawn] ${String(error)}\n`);
      this.exited = true;
      process.off("exit", this.killOnExit);
      this.notify();
    });
    child.on("exit", () => {
      this.exited = true;
      process.off("exit", this.killOnExit);
      this.notify();
    });
  }

  /**
   * Starts baresip and connects to its control socket; it registers on its own. Events it reports
   * before the control connection opens (often the first REGISTER_OK) are not seen: wait for a
   * registration at the registrar instead.
   */
  static async start(options: BaresipOptions, timeoutMs = 5_000): Promise<Baresip> {
    const sipPort = await freeUdpAndTcpPort(options.listenAddress);
    const controlPort = await freePort();
    const configDir = mkdtempSync(join(tmpdir(), `zaqros-baresip-${options.name}-`));
    writeFileSync(join(configDir, "config"), config(options, sipPort, controlPort));
    writeFileSync(join(configDir, "accounts"), `${accountLine(options)}\n`);
    writeFileSync(join(configDir, "contacts"), "");
    // -t: a phone orphaned by a test process killed by a signal still quits on its own.
    const lifetime = String(options.maxLifetimeSeconds ?? 60);
    const args = ["-4", "-s", "-t", lifetime, "-n", options.netInterface, "-f", configDir];
    const child = spawn("baresip", args, {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const baresip = new Baresip(options, sipPort, child, configDir);
    try {
      await baresip.connectControl(controlPort, timeoutMs);
    } catch (error) {
      await baresip.stop();
      throw new Error(`${options.name}: ${String(error)}\n${baresip.log()}`);
    }
    return baresip;
  }

  /** What baresip printed, for assertion messages. */
  log(): string {
    return `--- baresip ${this.options.name} output ---\n${this.output.slice(-12000)}`;
  }

  /** Sends a ctrl_tcp command (a menu command such as `dial` or `hangup`) and waits for its response. */
  async command(command: string, params = "", timeoutMs = 3_000): Promise<CommandResponse> {
    const socket = this.control;
    if (!socket) throw new Error(`${this.options.name}: no control connection`);
    const token = String(this.nextToken++);
    const json = JSON.stringify({ command, params, token });
    const response = new Promise<CommandResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`${this.options.name}: no response to ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
    socket.write(`${Buffer.byteLength(json)}:${json},`);
    return response;
  }

  /** Resolves with the first event (already seen or still to come) that matches, or rejects after the timeout. */
  waitForEvent(
    match: (event: BaresipEvent) => boolean,
    what: string,
    timeoutMs = 5_000,
  ): Promise<BaresipEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (this.exited) {
          done();
          reject(new Error(`${this.options.name} exited before ${what}\n${this.log()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.options.name}: no ${what} within ${timeoutMs} ms\n${this.log()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Ends the process (SIGTERM, then SIGKILL after a grace period) and removes its config directory. */
  async stop(graceMs = 2_000): Promise<void> {
    this.control?.destroy();
    this.control = undefined;
    if (!this.exited && this.child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.configDir, { recursive: true, force: true });
  }

  /** A test process that dies without its after hooks still takes its phones with it. */
  private readonly killOnExit = () => {
    this.child.kill("SIGKILL");
  };

  private record(text: string): void {
    this.output += text.replace(ANSI_COLOUR, "");
    if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private async connectControl(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error("baresip exited at start");
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const attempt = connect(port, "127.0.0.1");
        attempt.once("connect", () => resolve(attempt));
        attempt.once("error", () => {
          attempt.destroy();
          resolve(undefined);
        });
      });
      if (socket) {
        this.control = socket;
        this.readNetstrings(socket);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`control socket 127.0.0.1:${port} did not open within ${timeoutMs} ms`);
  }

  private readNetstrings(socket: Socket): void {
    let buffer = Buffer.alloc(0);
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const colon = buffer.indexOf(":");
        if (colon < 0) return;
        const length = Number(buffer.subarray(0, colon).toString("latin1"));
        if (!Number.isInteger(length)) {
          this.record("[ctrl_tcp] framing lost; control connection closed\n");
          socket.destroy();
          return;
        }
        if (buffer.length < colon + 1 + length + 1) return;
        const payload = buffer.subarray(colon + 1, colon + 1 + length).toString("utf8");
        buffer = buffer.subarray(colon + 1 + length + 1);
        try {
          this.onMessage(JSON.parse(payload) as Record<string, unknown>);
        } catch {
          this.record(`[ctrl_tcp] unreadable message: ${payload}\n`);
        }
      }
    });
  }

  private onMessage(message: Record<string, unknown>): void {
    if (message.response === true) {
      const resolve = this.pending.get(String(message.token));
      this.pending.delete(String(message.token));
      resolve?.({ ok: message.ok === true, data: String(message.data ?? "") });
      return;
    }
    if (message.event === true) {
      const event = message as unknown as BaresipEvent;
      this.events.push(event);
      if (event.type !== "CALL_RTCP") this.record(`[event] ${JSON.stringify(message)}\n`);
      this.notify();
    }
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: baresip colours its log with ANSI escapes.
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

function accountLine(options: BaresipOptions): string {
  const params = [
    `auth_pass=${options.password}`,
    "answermode=auto",
    "regint=300",
    "audio_codecs=PCMU/8000/1",
    "ptime=20",
  ];
  return `<sip:${options.username}@${options.registrar};transport=udp>;${params.join(";")}`;
}

/** Only the modules the test needs: no sound card, no NAT helpers, nothing reaching past loopback. */
function config(options: BaresipOptions, sipPort: number, controlPort: number): string {
  const lines = [
    "poll_method epoll",
    `sip_listen ${options.listenAddress}:${sipPort}`,
    "call_local_timeout 20",
    "call_max_calls 2",
    // ausine produces 48 kHz stereo only; baresip resamples to 8 kHz mono for PCMU.
    "ausrc_srate 48000",
    "ausrc_channels 2",
    "auplay_srate 48000",
    `audio_source ausine,440`,
    `audio_player aubridge,zaqros-sink-${options.name}`,
    `audio_alert aubridge,zaqros-alert-${options.name}`,
    `rtp_ports ${options.rtpPorts[0]}-${options.rtpPorts[1]}`,
    "rtcp_mux no",
    "jitter_buffer_delay 1-10",
    "rtp_stats no",
    // Nothing here is resolved by name; should anything try, it asks loopback.
    "dns_server 127.0.0.1:53",
    "module_path /usr/lib/baresip/modules",
    "module g711.so",
    "module ausine.so",
    "module aubridge.so",
    "module_tmp account.so",
    "module_app menu.so",
    "module_app ctrl_tcp.so",
    `ctrl_tcp_listen 127.0.0.1:${controlPort}`,
    "ringback_disabled yes",
    "statmode_default off",
  ];
  return `${lines.join("\n")}\n`;
}

/** A port free for both UDP and TCP on the address (baresip's sip_listen opens both). */
async function freeUdpAndTcpPort(address: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket("udp4");
    const port = await new Promise<number>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(0, address, () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, address, () => server.close(() => resolve(true)));
    });
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcpFree) return port;
  }
  throw new Error(`no port free for UDP and TCP on ${address}`);
}
