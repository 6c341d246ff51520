import { SocketTransport, type SocketTransportOptions } from "./socket-transport.ts";

/** SIP over TCP (RFC 3261 §18), listening on `options.address:options.port` (default port 5060). */
export function createTcpTransport(options: SocketTransportOptions): SocketTransport {
  return new SocketTransport("tcp", options);
}
