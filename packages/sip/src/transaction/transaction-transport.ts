import type { SipMessage } from "../message/types.ts";

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
}
