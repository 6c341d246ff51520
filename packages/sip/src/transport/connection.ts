import type { LocalEndpoint, RemoteEndpoint } from "./transport.ts";
import type { TransportError } from "./transport-error.ts";

/**
 * One open connection of a connection-oriented transport (a TCP or TLS socket, or a
 * WebSocket), already framed into whole SIP messages.
 */
export interface Connection {
  readonly id: string;
  /** The far end; `remote.connectionId` equals `id`. */
  readonly remote: RemoteEndpoint;
  readonly local: LocalEndpoint;
  /** Whether the peer opened it (true) or this side did (false). */
  readonly accepted: boolean;
  readonly open: boolean;
  /** Bytes received but not yet framed into a message. Never above the framer's limit. */
  readonly bufferedInboundBytes: number;
  /** Bytes queued for sending that the peer has not yet taken. */
  readonly bufferedOutboundBytes: number;
  /**
   * Queues one whole message (or a keep-alive). Throws a {@link TransportError} when closed or
   * when the queue would exceed its bound; the connection is then dropped.
   */
  write(bytes: Uint8Array): void;
  /** Closes the connection; `error` explains why when it is not an orderly close. */
  close(error?: TransportError): void;
}

/** What a connection reports to the transport that owns it. */
export interface ConnectionEvents {
  /** A whole SIP message arrived. */
  message(connection: Connection, bytes: Uint8Array): void;
  /** A keep-alive ping, pong or message arrived: the flow is alive. */
  activity(connection: Connection): void;
  closed(connection: Connection, error?: TransportError): void;
}
