import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import type { MessageLimits } from "../message/limits.ts";
import { StreamFramer } from "../message/stream-framer.ts";
import type { Connection, ConnectionEvents } from "./connection.ts";
import { defaultMaxOutboundBytes } from "./connection-limits.ts";
import { canonicalIp } from "./ip-address.ts";
import type { LocalEndpoint, RemoteEndpoint, TransportProtocol } from "./transport.ts";
import { TransportError } from "./transport-error.ts";

const PONG = new Uint8Array([0x0d, 0x0a]);
/** How long an orderly close may wait for the peer's FIN. */
const LINGER_MS = 2000;

export interface SocketConnectionOptions extends MessageLimits {
  protocol: TransportProtocol;
  accepted: boolean;
  /** The listening address, reported as the local end of every message. */
  local: LocalEndpoint;
  maxOutboundBytes?: number;
}

/**
 * A TCP or TLS socket framed into SIP messages, with bounded buffers both ways.
 *
 * A framing error closes the connection: RFC 3261 §18.3 frames stream messages only by
 * Content-Length ("All stream-oriented transports MUST use Content-Length"), so once a
 * message cannot be framed the start of the next one cannot be found either.
 *
 * @remarks RFC 5626 §3.5.1 describes the keep-alive as "periodically sending a double-CRLF
 * (the "ping") then waiting to receive a single CRLF (the "pong")", so every ping is answered
 * at once with a CRLF over the same connection.
 */
export class SocketConnection implements Connection {
  readonly id = randomUUID();
  readonly remote: RemoteEndpoint;
  readonly local: LocalEndpoint;
  readonly accepted: boolean;
  readonly #socket: Socket;
  readonly #framer: StreamFramer;
  readonly #events: ConnectionEvents;
  readonly #maxOutboundBytes: number;
  #open = true;

  constructor(socket: Socket, options: SocketConnectionOptions, events: ConnectionEvents) {
    this.#socket = socket;
    this.#events = events;
    this.accepted = options.accepted;
    this.local = options.local;
    this.#maxOutboundBytes = options.maxOutboundBytes ?? defaultMaxOutboundBytes;
    this.#framer = new StreamFramer(options);
    this.remote = {
      protocol: options.protocol,
      address: canonicalIp(socket.remoteAddress ?? "") ?? socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
      connectionId: this.id,
    };
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("error", (cause) =>
      this.close(new TransportError("TRANSPORT.CONNECTION_CLOSED", "socket error", { cause })),
    );
    socket.on("close", () => this.#closed());
  }

  get open(): boolean {
    return this.#open;
  }

  get bufferedInboundBytes(): number {
    return this.#framer.pendingBytes;
  }

  get bufferedOutboundBytes(): number {
    return this.#socket.writableLength;
  }

  write(bytes: Uint8Array): void {
    if (!this.#open || this.#socket.destroyed) {
      throw new TransportError("TRANSPORT.CONNECTION_CLOSED", "connection is closed");
    }
    if (this.#socket.writableLength + bytes.length > this.#maxOutboundBytes) {
      const error = new TransportError(
        "TRANSPORT.OUTBOUND_OVERFLOW",
        `peer ${this.remote.address}:${this.remote.port} is not reading; over ${this.#maxOutboundBytes} bytes queued`,
      );
      this.close(error);
      throw error;
    }
    this.#socket.write(bytes);
  }

  close(error?: TransportError): void {
    if (!this.#open) return;
    this.#open = false;
    // A peer that does not read would hold an orderly close (FIN after the queue) forever.
    if (error || this.#socket.writableLength > 0) {
      this.#socket.destroy();
    } else {
      this.#socket.end();
      // Out of the table, a half-closed socket no longer counts against the cap: bound its life.
      setTimeout(() => this.#socket.destroy(), LINGER_MS).unref();
    }
    this.#events.closed(this, error);
  }

  #receive(chunk: Buffer): void {
    if (!this.#open) return;
    for (const event of this.#framer.push(chunk)) {
      switch (event.type) {
        case "message":
          this.#events.message(this, event.bytes);
          break;
        case "keepalive-ping":
          this.#events.activity(this);
          this.#pong();
          break;
        case "keepalive-pong":
          this.#events.activity(this);
          break;
        case "error":
          this.close(
            new TransportError("TRANSPORT.CONNECTION_CLOSED", `framing lost: ${event.error.message}`),
          );
          return;
      }
      if (!this.#open) return;
    }
  }

  #pong(): void {
    try {
      this.write(PONG);
    } catch {
      // write() has already dropped a connection that cannot take even a pong.
    }
  }

  #closed(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#events.closed(this);
  }
}
