import { SocketTransport, type SocketTransportOptions, type TlsSettings } from "./socket-transport.ts";

/**
 * SIP over TLS (RFC 3261 §18, §26.3.1), listening on `options.address:options.port`
 * (default port 5061) with the caller's certificate and key in `tls.server`.
 */
export function createTlsTransport(options: SocketTransportOptions, tls: TlsSettings): SocketTransport {
  return new SocketTransport("tls", options, tls);
}
