import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import type { RawData, WebSocket } from "ws";
import type { MessageLimits } from "../message/limits.ts";
import { frameWebSocketMessage } from "../message/websocket-frame.ts";
import type { Connection, ConnectionEvents } from "./connection.ts";
import { defaultMaxOutboundBytes } from "./connection-limits.ts";
import type { Endpoint, LocalEndpoint, RemoteEndpoint } from "./transport.ts";
import { TransportError } from "./transport-error.ts";

const PONG = new Uint8Array([0x0d, 0x0a]);

export interface WebSocketConnectionOptions extends MessageLimits {
  protocol: "ws" | "wss";
  accepted: boolean;
  remote: Endpoint;
  local: LocalEndpoint;
  maxOutboundBytes?: number;
}

/**
 * One WebSocket carrying SIP: each WebSocket message is exactly one SIP message, so no
 * stream framing is needed; the `ws` library bounds each message by its `maxPayload`.
 *
 * @remarks RFC 7118 §5.1: "Each SIP message MUST be carried within a single WebSocket
 * message, and a WebSocket message MUST NOT contain more than one SIP message." A message of
 * `CRLF CRLF` is an RFC 5626 keep-alive ping (SIP.js and JsSIP send them), answered with a
 * single CRLF.
 */
export class WebSocketConnection implements Connection {
  readonly id = randomUUID();
  readonly remote: RemoteEndpoint;
  readonly local: LocalEndpoint;
  readonly accepted: boolean;
  readonly #socket: WebSocket;
  readonly #events: ConnectionEvents;
  readonly #maxOutboundBytes: number;
  readonly #limits: MessageLimits;
  #open = true;

  constructor(socket: WebSocket, options: WebSocketConnectionOptions, events: ConnectionEvents) {
    this.#socket = socket;
    this.#events = events;
    this.accepted = options.accepted;
    this.local = options.local;
    this.#maxOutboundBytes = options.maxOutboundBytes ?? defaultMaxOutboundBytes;
    this.#limits = options;
    this.remote = { ...options.remote, protocol: options.protocol, connectionId: this.id };
    socket.on("message", (data) => this.#receive(data));
    socket.on("error", (cause) =>
      this.close(new TransportError("TRANSPORT.CONNECTION_CLOSED", "websocket error", { cause })),
    );
    socket.on("close", () => this.#closed());
  }

  get open(): boolean {
    return this.#open;
  }

  get bufferedInboundBytes(): number {
    return 0;
  }

  get bufferedOutboundBytes(): number {
    return this.#socket.bufferedAmount;
  }

  write(bytes: Uint8Array): void {
    if (!this.#open || this.#socket.readyState !== this.#socket.OPEN) {
      throw new TransportError("TRANSPORT.CONNECTION_CLOSED", "websocket is closed");
    }
    if (this.#socket.bufferedAmount + bytes.length > this.#maxOutboundBytes) {
      const error = new TransportError(
        "TRANSPORT.OUTBOUND_OVERFLOW",
        `peer ${this.remote.address}:${this.remote.port} is not reading; over ${this.#maxOutboundBytes} bytes queued`,
      );
      this.close(error);
      throw error;
    }
    // SIP is UTF-8 text; a text frame is what browser stacks expect (they read `event.data` as a string).
    this.#socket.send(bytes, { binary: !isUtf8(bytes) });
  }

  close(error?: TransportError): void {
    if (!this.#open) return;
    this.#open = false;
    if (error || this.#socket.bufferedAmount > 0) this.#socket.terminate();
    else this.#socket.close(1000);
    this.#events.closed(this, error);
  }

  #receive(data: RawData): void {
    if (!this.#open) return;
    const event = frameWebSocketMessage(toBytes(data), this.#limits);
    switch (event.type) {
      case "message":
        this.#events.message(this, event.bytes);
        return;
      case "keepalive-ping":
        this.#events.activity(this);
        this.#pong();
        return;
      case "keepalive-pong":
        this.#events.activity(this);
        return;
      case "error":
        this.close(new TransportError("TRANSPORT.CONNECTION_CLOSED", event.error.message));
        return;
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

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
