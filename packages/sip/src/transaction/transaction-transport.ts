import type { SipMessage, SipResponse } from "../message/types.ts";

/**
 * A response the transport turned into bytes once, with where to send them, so that sending it
 * again costs neither a serialization nor the parsed message kept alive until then.
 */
export interface SerializedResponse {
  /** The bytes every transmission puts on the wire. */
  readonly bytes: Uint8Array;
  /**
   * Sends the bytes the way `TransactionTransport.send` sends the response they came from: to
   * the same destinations, tried in the same order. A synchronous throw or a rejected promise is
   * a transport error, as for `send`.
   */
  send(): void | Promise<void>;
}

/**
 * The transport as one transaction sees it: a flow already bound to one destination.
 *
 * A client transaction gets one bound to the address, port and transport the TU chose for the
 * request; a server transaction gets the one its request arrived on, which sends responses
 * where RFC 3261 §18.2.2 and RFC 3581 say. So a transaction never handles addresses: it only
 * needs to know whether to retransmit, and where "the same place" is.
 *
 * @remarks RFC 3261 §17.1: "When the TU wishes to initiate a new transaction, it creates a
 * client transaction and passes it the SIP request to send and an IP address, port, and
 * transport to which to send it." §17.1.1.2: "The ACK MUST be sent to the same address, port,
 * and transport to which the original request was sent."
 */
export interface TransactionTransport {
  /**
   * True for TCP, TLS, SCTP, WS and WSS.
   *
   * @remarks RFC 3261 §17.1.1.1: "The request is not retransmitted over reliable transports."
   */
  readonly reliable: boolean;
  /**
   * Sends one message. A synchronous throw or a rejected promise is a transport error
   * (RFC 3261 §18.4), reported to the transaction user.
   */
  send(message: SipMessage): void | Promise<void>;
  /**
   * Serializes a final response once, for a server transaction that then keeps only the bytes
   * while it absorbs retransmissions of the request (a non-INVITE server transaction stays 64*T1
   * in Completed over UDP). Optional: without it the transaction keeps the parsed response and
   * sends it with `send` each time.
   */
  serializeResponse?(response: SipResponse): SerializedResponse;
}
