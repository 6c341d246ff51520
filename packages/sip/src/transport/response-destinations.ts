import type { Via } from "../message/types.ts";
import { canonicalIp } from "./ip-address.ts";
import type { RemoteEndpoint, TransportProtocol } from "./transport.ts";
import { TransportError } from "./transport-error.ts";
import { protocolFromViaTransport } from "./via-transport-token.ts";

/** One place to try sending a response; `host` may be a name when it comes from sent-by. */
export interface ResponseDestination {
  protocol: TransportProtocol;
  host: string;
  port: number;
  /** Use this connection when it is still open. */
  connectionId?: string;
  /** Whether a new connection may be opened to reach it (streams only). */
  mayConnect: boolean;
}

/** The default port of a transport when sent-by has none (RFC 3261 §19.1.2, RFC 7118 §7). */
export function defaultPort(protocol: TransportProtocol): number {
  switch (protocol) {
    case "tls":
      return 5061;
    case "ws":
      return 80;
    case "wss":
      return 443;
    default:
      return 5060;
  }
}

/**
 * Where a response goes, in the order to try, from the top Via of the response (which
 * carries the `received` and `rport` the server stamped on the request) and, when known, the
 * source of the request.
 *
 * @remarks RFC 3261 §18.2.2:
 * - "If the "sent-protocol" is a reliable transport protocol such as TCP or SCTP, or TLS over
 *   those, the response MUST be sent using the existing connection to the source of the
 *   original request that created the transaction, if that connection is still open. [...]
 *   If the connection is no longer open, the server SHOULD open a connection to the IP
 *   address in the "received" parameter, if present, using the port in the "sent-by" value,
 *   or the default port for that transport, if no port is specified."
 * - "Otherwise, if the Via header field value contains a "maddr" parameter, the response MUST
 *   be forwarded to the address listed there, using the port indicated in "sent-by", or port
 *   5060 if none is present."
 * - "Otherwise (for unreliable unicast transports), if the top Via has a "received"
 *   parameter, the response MUST be sent to the address in the "received" parameter, using
 *   the port indicated in the "sent-by" value, or using port 5060 if none is specified
 *   explicitly."
 * - "Otherwise, if it is not receiver-tagged, the response MUST be sent to the address
 *   indicated by the "sent-by" value".
 *
 * RFC 3581 §4: "If the "sent-protocol" component indicates an unreliable unicast transport
 * protocol, such as UDP, and there is no "maddr" parameter, but there is both a "received"
 * parameter and an "rport" parameter, the response MUST be sent to the IP address listed in
 * the "received" parameter, and the port in the "rport" parameter."
 *
 * A stream response whose connection is gone is also tried over any other open connection
 * from `received:rport` before a new connection is opened. A WebSocket response never opens a
 * connection: RFC 7118 §5 clients "cannot receive incoming WebSocket connections".
 */
export function rfc3261_18_2_2_responseDestinations(
  via: Via,
  source?: RemoteEndpoint,
): ResponseDestination[] {
  const protocol = protocolFromViaTransport(via.transport);
  if (protocol === undefined) {
    throw new TransportError("TRANSPORT.NO_ROUTE", `unsupported Via transport ${via.transport}`);
  }
  const received = stringParam(via, "received");
  const rport = portParam(via, "rport");
  const sentByPort = via.port ?? defaultPort(protocol);

  if (protocol !== "udp") {
    const destinations: ResponseDestination[] = [];
    if (source?.connectionId !== undefined && source.protocol === protocol) {
      destinations.push({
        protocol,
        host: source.address,
        port: source.port,
        connectionId: source.connectionId,
        mayConnect: false,
      });
    }
    if (received !== undefined && rport !== undefined) {
      destinations.push({ protocol, host: received, port: rport, mayConnect: false });
    }
    const canConnect = protocol === "tcp" || protocol === "tls";
    destinations.push({ protocol, host: received ?? via.host, port: sentByPort, mayConnect: canConnect });
    return destinations;
  }

  const maddr = stringParam(via, "maddr");
  if (maddr !== undefined) return [{ protocol, host: maddr, port: via.port ?? 5060, mayConnect: false }];
  if (received !== undefined && rport !== undefined) {
    return [{ protocol, host: received, port: rport, mayConnect: false }];
  }
  if (received !== undefined)
    return [{ protocol, host: received, port: via.port ?? 5060, mayConnect: false }];
  return [{ protocol, host: canonicalIp(via.host) ?? via.host, port: via.port ?? 5060, mayConnect: false }];
}

function stringParam(via: Via, name: string): string | undefined {
  const value = via.params.get(name);
  return value === null || value === undefined || value === "" ? undefined : value;
}

function portParam(via: Via, name: string): number | undefined {
  const value = stringParam(via, name);
  if (value === undefined || !/^\d{1,5}$/.test(value)) return undefined;
  const port = Number(value);
  return port > 0 && port < 65_536 ? port : undefined;
}
