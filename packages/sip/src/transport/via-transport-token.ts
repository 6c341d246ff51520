import type { TransportProtocol } from "./transport.ts";

/** Maps a Via transport token (`UDP`, `tcp`, ...) to a protocol, or undefined for SCTP and unknown tokens. */
export function protocolFromViaTransport(token: string): TransportProtocol | undefined {
  switch (token.toLowerCase()) {
    case "udp":
      return "udp";
    case "tcp":
      return "tcp";
    case "tls":
      return "tls";
    case "ws":
      return "ws";
    case "wss":
      return "wss";
    default:
      return undefined;
  }
}
