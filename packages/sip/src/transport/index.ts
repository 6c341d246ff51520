export type { Connection } from "./connection.ts";
export {
  type ConnectionLimits,
  defaultConnectTimeoutMs,
  defaultIdleTimeoutMs,
  defaultMaxConnections,
  defaultMaxOutboundBytes,
} from "./connection-limits.ts";
export { type ConnectionStats, ConnectionTransport } from "./connection-transport.ts";
export { canonicalIp } from "./ip-address.ts";
export {
  defaultPort,
  type ResponseDestination,
  rfc3261_18_2_2_responseDestinations,
} from "./response-destinations.ts";
export { SocketTransport, type SocketTransportOptions, type TlsSettings } from "./socket-transport.ts";
export { createTcpTransport } from "./tcp-transport.ts";
export { createTlsTransport } from "./tls-transport.ts";
export type {
  Endpoint,
  InboundBytes,
  InboundHandler,
  LocalEndpoint,
  RemoteEndpoint,
  SendTarget,
  Transport,
  TransportProtocol,
} from "./transport.ts";
export { TransportError, type TransportErrorCode } from "./transport-error.ts";
export {
  type AddressLookup,
  type Discard,
  type InboundMessage,
  type MessageFlow,
  type PreparedResponse,
  type ReceivedFrom,
  type RequestTarget,
  TransportLayer,
  type TransportLayerOptions,
} from "./transport-layer.ts";
export { rfc3261_18_1_1_checkUdpRequestSize, unknownMtuRequestLimit } from "./udp-size-limit.ts";
export { UdpTransport, type UdpTransportOptions } from "./udp-transport.ts";
export { rfc3261_18_2_1_stampVia } from "./via-stamp.ts";
export { protocolFromViaTransport } from "./via-transport-token.ts";
export {
  createWssTransport,
  createWsTransport,
  WsTransport,
  type WsTransportOptions,
} from "./ws-transport.ts";
