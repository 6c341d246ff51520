import { once } from "node:events";
import { createServer as createTcpServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import {
  type ConnectionOptions,
  createServer as createTlsServer,
  type TlsOptions,
  connect as tlsConnect,
} from "node:tls";
import type { Connection } from "./connection.ts";
import type { ConnectionLimits } from "./connection-limits.ts";
import { ConnectionTransport } from "./connection-transport.ts";
import { canonicalIp } from "./ip-address.ts";
import { SocketConnection } from "./socket-connection.ts";
import type { Endpoint, LocalEndpoint } from "./transport.ts";

export interface SocketTransportOptions extends ConnectionLimits {
  /** Address to bind, an IP literal (`0.0.0.0`, `::`, `127.0.0.1` ...). */
  address: string;
  /** Port to bind; 0 lets the system pick one. Default 5060 (TCP) or 5061 (TLS). */
  port?: number;
}

export interface TlsSettings {
  /** Server side: certificate, key, and optionally client-certificate checks. */
  server: TlsOptions;
  /**
   * Client side, for connections this transport opens: trust anchors (`ca`),
   * `rejectUnauthorized` (default true) and the like.
   */
  client?: ConnectionOptions;
}

/**
 * SIP over TCP or TLS (`net` / `tls` sockets). Build one with {@link createTcpTransport} or
 * {@link createTlsTransport}.
 */
export class SocketTransport extends ConnectionTransport {
  readonly protocol: "tcp" | "tls";
  readonly #options: SocketTransportOptions;
  readonly #tls: TlsSettings | undefined;
  #server: Server | undefined;

  constructor(protocol: "tcp" | "tls", options: SocketTransportOptions, tls?: TlsSettings) {
    super(options);
    this.protocol = protocol;
    this.#options = options;
    this.#tls = tls;
  }

  protected async startListening(): Promise<LocalEndpoint> {
    const server = this.#tls
      ? createTlsServer({
          ...this.#tls.server,
          handshakeTimeout: this.limits.connectTimeoutMs ?? this.#tls.server.handshakeTimeout,
        })
      : createTcpServer();
    // A hard cap below the table's, so sockets still in the TLS handshake count too.
    server.maxConnections = this.limits.maxConnections;
    server.on(this.#tls ? "secureConnection" : "connection", (socket: Socket) => this.#accept(socket));
    server.on("error", () => {});
    if (this.#tls) server.on("tlsClientError", () => {});
    this.#server = server;
    server.listen({ host: this.#options.address, port: this.#options.port ?? defaultPort(this.protocol) });
    // events.once rejects when "error" comes first (EADDRINUSE ...).
    await once(server, "listening");
    const bound = server.address();
    if (bound === null || typeof bound === "string") throw new Error("server has no address");
    return {
      protocol: this.protocol,
      address: canonicalIp(bound.address) ?? bound.address,
      port: bound.port,
    };
  }

  protected async stopListening(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  protected async dial(remote: Endpoint, signal: AbortSignal): Promise<Connection> {
    const local = this.local;
    if (!local) throw new Error("not listening");
    const socket = this.#tls
      ? tlsConnect({ ...this.#tls.client, host: remote.address, port: remote.port })
      : tcpConnect({ host: remote.address, port: remote.port });
    await connected(socket, this.#tls ? "secureConnect" : "connect", signal);
    return new SocketConnection(
      socket,
      { ...this.limits, protocol: this.protocol, accepted: false, local },
      this.events,
    );
  }

  #accept(socket: Socket): void {
    const local = this.local;
    if (!local || !this.hasRoom()) {
      socket.destroy();
      return;
    }
    this.admit(
      new SocketConnection(
        socket,
        { ...this.limits, protocol: this.protocol, accepted: true, local },
        this.events,
      ),
    );
  }
}

/** Resolves once `socket` emits `event`; rejects (and destroys it) on error or abort. */
function connected(socket: Socket, event: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (error?: unknown) => {
      socket.off(event, onEvent);
      socket.off("error", settle);
      signal.removeEventListener("abort", onAbort);
      if (error === undefined) {
        resolve();
      } else {
        socket.destroy();
        reject(error);
      }
    };
    const onEvent = () => settle();
    const onAbort = () => settle(signal.reason ?? new Error("aborted"));
    if (signal.aborted) {
      onAbort();
      return;
    }
    socket.once(event, onEvent);
    socket.once("error", settle);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function defaultPort(protocol: "tcp" | "tls"): number {
  return protocol === "tls" ? 5061 : 5060;
}
