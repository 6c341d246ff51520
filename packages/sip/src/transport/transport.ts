/**
 * The one small interface every SIP transport (UDP, TCP, TLS, WS, WSS) implements.
 *
 * A transport moves whole SIP messages as bytes: a datagram, a framed slice of a TCP/TLS
 * stream, or one WebSocket message. It knows nothing of SIP semantics; parsing, Via stamping
 * and response routing live in {@link TransportLayer}.
 */

/** Lower-case transport names; the Via `transport` token is the upper-case form. */
export type TransportProtocol = "udp" | "tcp" | "tls" | "ws" | "wss";

/** An IP address (no brackets, IPv4-mapped IPv6 unwrapped) and a port. */
export interface Endpoint {
  address: string;
  port: number;
}

/** The far end of a message, as seen on the wire. */
export interface RemoteEndpoint extends Endpoint {
  protocol: TransportProtocol;
  /**
   * The connection (flow) the message arrived on, for connection-oriented transports.
   * Pass it back in a {@link SendTarget} to reach the peer over the same connection, which
   * is the only way to reach a peer behind a NAT over TCP, TLS or WebSocket.
   */
  connectionId?: string;
}

/** The address a transport listens on. */
export interface LocalEndpoint extends Endpoint {
  protocol: TransportProtocol;
}

/** One whole SIP message's bytes as a transport received them. */
export interface InboundBytes {
  bytes: Uint8Array;
  source: RemoteEndpoint;
  local: LocalEndpoint;
}

/** Where to send bytes. `address` must be an IP literal; name resolution happens above. */
export interface SendTarget extends Endpoint {
  /** Prefer this connection when it is still open (connection-oriented transports only). */
  connectionId?: string;
  /**
   * Open a new connection when none to `address:port` is open. Defaults to true. False for
   * responses that must go over the request's connection (RFC 7118 WebSocket clients cannot
   * accept connections).
   */
  mayConnect?: boolean;
}

export type InboundHandler = (inbound: InboundBytes) => void;

export interface Transport {
  readonly protocol: TransportProtocol;
  /**
   * True for TCP, TLS, WS and WSS.
   *
   * @remarks RFC 3261 §18: "the transport layer is responsible for managing persistent
   * connections for transport protocols like TCP and SCTP, or TLS over those". Reliable
   * transports carry no retransmissions (§17.1.1.2 Timer A is not started).
   */
  readonly reliable: boolean;
  /** The bound address, once `listen()` has resolved. */
  readonly local: LocalEndpoint | undefined;
  /** Binds and starts accepting; resolves with the actual bound address (port 0 picks one). */
  listen(): Promise<LocalEndpoint>;
  /** Resolves once the bytes are handed to the operating system; rejects with a {@link TransportError}. */
  send(bytes: Uint8Array, target: SendTarget): Promise<void>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
  /** Registers the single receiver of inbound messages (the transport layer). */
  onMessage(handler: InboundHandler): void;
}
