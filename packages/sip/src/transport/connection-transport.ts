import type { Connection, ConnectionEvents } from "./connection.ts";
import {
  type ConnectionLimits,
  defaultConnectTimeoutMs,
  defaultIdleTimeoutMs,
  defaultMaxConnections,
} from "./connection-limits.ts";
import { ConnectionTable } from "./connection-table.ts";
import { canonicalIp } from "./ip-address.ts";
import type {
  Endpoint,
  InboundHandler,
  LocalEndpoint,
  SendTarget,
  Transport,
  TransportProtocol,
} from "./transport.ts";
import { TransportError } from "./transport-error.ts";

/** Counters a caller can watch (metrics, tests): what the connections hold right now. */
export interface ConnectionStats {
  connections: number;
  /** Bytes received and not yet framed, summed over all connections. */
  bufferedInboundBytes: number;
  /** Bytes queued for peers, summed over all connections. */
  bufferedOutboundBytes: number;
}

/**
 * What TCP, TLS, WS and WSS share: the connection table, reuse, the connection cap, idle
 * closing and connection set-up. Subclasses only listen, accept and dial.
 */
export abstract class ConnectionTransport implements Transport {
  abstract readonly protocol: TransportProtocol;
  readonly reliable = true;

  protected readonly limits: Required<Pick<ConnectionLimits, "maxConnections" | "idleTimeoutMs">> &
    ConnectionLimits;
  readonly #table = new ConnectionTable();
  readonly #idleTimers = new Map<Connection, NodeJS.Timeout>();
  readonly #dialing = new Map<string, Promise<Connection>>();
  #handler: InboundHandler | undefined;
  #local: LocalEndpoint | undefined;
  #closing: AbortController | undefined;

  protected readonly events: ConnectionEvents = {
    message: (connection, bytes) => {
      this.#touch(connection);
      this.#handler?.({ bytes, source: connection.remote, local: connection.local });
    },
    activity: (connection) => this.#touch(connection),
    closed: (connection) => this.#forget(connection),
  };

  constructor(limits: ConnectionLimits) {
    this.limits = {
      ...limits,
      maxConnections: limits.maxConnections ?? defaultMaxConnections,
      idleTimeoutMs: limits.idleTimeoutMs ?? defaultIdleTimeoutMs,
    };
  }

  get local(): LocalEndpoint | undefined {
    return this.#local;
  }

  onMessage(handler: InboundHandler): void {
    this.#handler = handler;
  }

  async listen(): Promise<LocalEndpoint> {
    if (this.#local) return this.#local;
    this.#closing = new AbortController();
    this.#local = await this.startListening();
    return this.#local;
  }

  async close(): Promise<void> {
    this.#closing?.abort();
    const stopped = this.#local ? this.stopListening() : Promise.resolve();
    this.#local = undefined;
    for (const connection of this.#table.all()) connection.close();
    await stopped;
  }

  /** What the connections hold right now. */
  stats(): ConnectionStats {
    let bufferedInboundBytes = 0;
    let bufferedOutboundBytes = 0;
    const connections = this.#table.all();
    for (const connection of connections) {
      bufferedInboundBytes += connection.bufferedInboundBytes;
      bufferedOutboundBytes += connection.bufferedOutboundBytes;
    }
    return { connections: connections.length, bufferedInboundBytes, bufferedOutboundBytes };
  }

  /**
   * Sends over the connection named by `target.connectionId` when it is open, else over the
   * newest open connection to `target.address:port`, else over a new one.
   *
   * @remarks RFC 3261 §18.1.1: "If the request is sent over a connection-oriented transport
   * [...] the client transport SHOULD use an existing connection to the destination, if one
   * exists"; the connection id carries the RFC 5626 flow a phone behind a NAT registered
   * over, which is the only way back to it.
   */
  async send(bytes: Uint8Array, target: SendTarget): Promise<void> {
    if (!this.#local)
      throw new TransportError("TRANSPORT.NOT_LISTENING", `${this.protocol} is not listening`);
    const address = canonicalIp(target.address);
    if (address === undefined) {
      throw new TransportError("TRANSPORT.NO_ROUTE", `not an IP address: ${target.address}`);
    }
    const remote = { address, port: target.port };
    let connection =
      (target.connectionId === undefined ? undefined : this.#table.byId(target.connectionId)) ??
      this.#table.byRemote(this.protocol, remote);
    if (!connection) {
      if (target.mayConnect === false) {
        throw new TransportError(
          "TRANSPORT.CONNECTION_CLOSED",
          `no open ${this.protocol} connection to ${address}:${target.port}`,
        );
      }
      connection = await this.#connect(remote);
    }
    connection.write(bytes);
    this.#touch(connection);
  }

  /** Binds and starts accepting; returns the bound address. */
  protected abstract startListening(): Promise<LocalEndpoint>;
  /** Stops accepting; existing connections are closed by the caller. */
  protected abstract stopListening(): Promise<void>;
  /** Opens a connection; must give up (and clean up) when `signal` aborts. */
  protected abstract dial(remote: Endpoint, signal: AbortSignal): Promise<Connection>;

  /** Whether one more accepted connection fits; when false the subclass refuses it. */
  protected hasRoom(): boolean {
    return this.#table.size + this.#dialing.size < this.limits.maxConnections;
  }

  /** Registers a connection the subclass accepted or dialed. */
  protected admit(connection: Connection): void {
    this.#table.add(connection);
    const timer = setTimeout(() => connection.close(), this.limits.idleTimeoutMs);
    timer.unref();
    this.#idleTimers.set(connection, timer);
  }

  async #connect(remote: Endpoint): Promise<Connection> {
    const key = `${remote.address}|${remote.port}`;
    const pending = this.#dialing.get(key);
    if (pending) return pending;
    if (!this.hasRoom()) {
      throw new TransportError(
        "TRANSPORT.CONNECTION_LIMIT",
        `${this.protocol}: ${this.limits.maxConnections} connections open`,
      );
    }
    const signal = AbortSignal.any([
      AbortSignal.timeout(this.limits.connectTimeoutMs ?? defaultConnectTimeoutMs),
      this.#closing?.signal ?? AbortSignal.abort(),
    ]);
    const dialing = this.dial(remote, signal).then(
      (connection) => {
        if (!this.#local || !connection.open) {
          connection.close();
          throw new TransportError("TRANSPORT.CONNECTION_CLOSED", `${this.protocol} closed while connecting`);
        }
        this.admit(connection);
        return connection;
      },
      (cause: unknown) => {
        if (cause instanceof TransportError) throw cause;
        throw new TransportError(
          "TRANSPORT.CONNECT_FAILED",
          `${this.protocol} connection to ${remote.address}:${remote.port} failed`,
          { cause },
        );
      },
    );
    this.#dialing.set(key, dialing);
    try {
      return await dialing;
    } finally {
      this.#dialing.delete(key);
    }
  }

  #touch(connection: Connection): void {
    this.#idleTimers.get(connection)?.refresh();
  }

  #forget(connection: Connection): void {
    clearTimeout(this.#idleTimers.get(connection));
    this.#idleTimers.delete(connection);
    this.#table.remove(connection);
  }
}
