/**
 * Why a transport could not send or keep a connection. Callers branch on `code`, never on
 * the message text.
 *
 * | code | meaning |
 * | --- | --- |
 * | `TRANSPORT.MESSAGE_TOO_LARGE` | a request too large for UDP (RFC 3261 §18.1.1); resend over TCP |
 * | `TRANSPORT.DATAGRAM_TOO_LARGE` | larger than any UDP datagram can be |
 * | `TRANSPORT.NO_TRANSPORT` | no transport of the wanted protocol (and address family) is configured |
 * | `TRANSPORT.CONNECTION_LIMIT` | the maximum number of connections is reached |
 * | `TRANSPORT.CONNECTION_CLOSED` | the connection closed before or while sending |
 * | `TRANSPORT.CONNECT_FAILED` | a new connection could not be opened |
 * | `TRANSPORT.OUTBOUND_OVERFLOW` | the peer does not read; its connection was dropped |
 * | `TRANSPORT.UNRESOLVABLE` | the host name has no A/AAAA record |
 * | `TRANSPORT.NO_ROUTE` | the message carries no usable destination (e.g. no Via) |
 * | `TRANSPORT.NOT_LISTENING` | `send` before `listen` or after `close` |
 * | `TRANSPORT.SEND_FAILED` | the operating system refused the datagram |
 */
export type TransportErrorCode =
  | "TRANSPORT.MESSAGE_TOO_LARGE"
  | "TRANSPORT.DATAGRAM_TOO_LARGE"
  | "TRANSPORT.NO_TRANSPORT"
  | "TRANSPORT.CONNECTION_LIMIT"
  | "TRANSPORT.CONNECTION_CLOSED"
  | "TRANSPORT.CONNECT_FAILED"
  | "TRANSPORT.OUTBOUND_OVERFLOW"
  | "TRANSPORT.UNRESOLVABLE"
  | "TRANSPORT.NO_ROUTE"
  | "TRANSPORT.NOT_LISTENING"
  | "TRANSPORT.SEND_FAILED";

export class TransportError extends Error {
  override readonly name = "TransportError";
  readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
