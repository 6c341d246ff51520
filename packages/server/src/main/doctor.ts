import { createSocket } from "node:dgram";
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { Config } from "../config/config.ts";
import { openDatabase, pingDatabase } from "../db/connection.ts";
import { pendingMigrations } from "../db/migrator.ts";

export type CheckStatus = "ok" | "warn" | "fail";

export interface DoctorCheck {
  check: string;
  status: CheckStatus;
  /** What was found, in words a new operator understands, and what to do about it. */
  message: string;
}

/** Checks what Zaqros needs before it can start: the data dir, the database and the ports. */
export async function runDoctor(config: Config): Promise<DoctorCheck[]> {
  return [
    checkDataDir(config.dataDir),
    await checkDatabase(config),
    await checkTcpPort("HTTP port", config.bindAddress, config.httpPort, "ZAQROS_HTTP_PORT"),
    await checkTcpPort("SIP port (TCP)", config.bindAddress, config.sipPort, "ZAQROS_SIP_PORT"),
    await checkUdpPort("SIP port (UDP)", config.bindAddress, config.sipPort, "ZAQROS_SIP_PORT"),
    await checkTcpPort(
      "SIP port (TLS)",
      config.bindAddress,
      config.sipTlsPort ?? config.sipPort + 1,
      "ZAQROS_SIP_TLS_PORT",
    ),
    checkPublicHost(config.publicHost),
  ];
}

function checkDataDir(dir: string): DoctorCheck {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.doctor-${process.pid}`);
    writeFileSync(probe, "ok");
    rmSync(probe);
    return { check: "data dir", status: "ok", message: `${dir} exists and is writable.` };
  } catch (error) {
    return {
      check: "data dir",
      status: "fail",
      message: `Cannot write to ${dir} (${(error as NodeJS.ErrnoException).code}). Create it, give the Zaqros user write access, or set ZAQROS_DATA_DIR to another folder.`,
    };
  }
}

async function checkDatabase(config: Config): Promise<DoctorCheck> {
  const handle = openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    maxConnections: 1,
  });
  try {
    if (!(await pingDatabase(handle.db))) {
      return {
        check: "database",
        status: "fail",
        message:
          handle.dialect === "postgres"
            ? `PostgreSQL at ${handle.location} does not answer. Check that the server runs, that the database exists and that DATABASE_URL's user may connect.`
            : `The SQLite database at ${handle.location} cannot be opened. Check the file's permissions and free disk space.`,
      };
    }
    const pending = await pendingMigrations(handle.db);
    if (pending.length > 0) {
      return {
        check: "database",
        status: "warn",
        message: `${handle.dialect} at ${handle.location} answers, but ${pending.length} migration(s) are not applied yet. 'zaqros migrate' applies them ('zaqros start' does too).`,
      };
    }
    return {
      check: "database",
      status: "ok",
      message: `${handle.dialect} at ${handle.location} answers and is up to date.`,
    };
  } catch (error) {
    return { check: "database", status: "fail", message: `The database failed: ${(error as Error).message}` };
  } finally {
    await handle.close();
  }
}

function portProblem(what: string, host: string, port: number, key: string, code: string | undefined) {
  if (code === "EADDRINUSE") {
    return `${what} ${port} on ${host} is already in use by another program (or Zaqros is already running). Stop that program or set ${key} to a free port.`;
  }
  if (code === "EACCES") {
    return `${what} ${port} needs administrator rights (ports below 1024 do). Run Zaqros with the right capability or set ${key} above 1023.`;
  }
  if (code === "EADDRNOTAVAIL") {
    return `${host} is not an address of this machine. Set ZAQROS_BIND_ADDRESS to one of its addresses or 0.0.0.0.`;
  }
  return `${what} ${port} on ${host} cannot be opened (${code}).`;
}

function checkTcpPort(what: string, host: string, port: number, key: string): Promise<DoctorCheck> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      resolve({ check: what, status: "fail", message: portProblem(what, host, port, key, error.code) }),
    );
    server.listen({ host, port, exclusive: true }, () =>
      server.close(() => resolve({ check: what, status: "ok", message: `${host}:${port} is free.` })),
    );
  });
}

function checkUdpPort(what: string, host: string, port: number, key: string): Promise<DoctorCheck> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    socket.once("error", (error: NodeJS.ErrnoException) => {
      socket.close();
      resolve({ check: what, status: "fail", message: portProblem(what, host, port, key, error.code) });
    });
    socket.bind({ address: host, port, exclusive: true }, () =>
      socket.close(() => resolve({ check: what, status: "ok", message: `${host}:${port} is free.` })),
    );
  });
}

function checkPublicHost(host: string): DoctorCheck {
  if (host === "127.0.0.1" || host === "localhost" || host === "::1") {
    return {
      check: "public host",
      status: "warn",
      message: `ZAQROS_PUBLIC_HOST is ${host}: only this machine can reach Zaqros. Set it to the name or address phones and browsers use.`,
    };
  }
  return { check: "public host", status: "ok", message: `Phones and browsers are told to reach ${host}.` };
}
