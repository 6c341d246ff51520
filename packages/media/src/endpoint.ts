import { isIP } from "node:net";

/** A UDP transport address: an IP literal and a port. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** Whether two endpoints name the same address and port (either may be absent). */
export function sameEndpoint(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.address === b.address && a.port === b.port);
}

/** The endpoint for an SDP address and port, or undefined when packets cannot be sent there (a host name, a wildcard address, port 0). */
export function usableEndpoint(address: string, port: number): Endpoint | undefined {
  if (port < 1 || port > 65535 || isIP(address) === 0) return undefined;
  if (address === "0.0.0.0" || address === "::") return undefined;
  return { address, port };
}
