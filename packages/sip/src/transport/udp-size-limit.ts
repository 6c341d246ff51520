import { TransportError } from "./transport-error.ts";

/** The request size above which UDP is not allowed when the path MTU is unknown. */
export const unknownMtuRequestLimit = 1300;

/**
 * Throws `TRANSPORT.MESSAGE_TOO_LARGE` for a request too large to go over UDP.
 *
 * @remarks RFC 3261 §18.1.1: "If a request is within 200 bytes of the path MTU, or if it is
 * larger than 1300 bytes and the path MTU is unknown, the request MUST be sent using an RFC
 * 2914 [43] congestion controlled transport protocol, such as TCP. If this causes a change in
 * the transport protocol from the one indicated in the top Via, the value in the top Via MUST
 * be changed."
 *
 * The transport layer reports this instead of switching to TCP by itself: the caller built the
 * top Via (and its branch) and chose the target, and only it knows whether the peer supports
 * TCP at all. It rewrites the Via transport and sends again over TCP, or, knowing the peer
 * has no TCP, sends over UDP anyway with `allowOversizedUdp`.
 */
export function rfc3261_18_1_1_checkUdpRequestSize(size: number, pathMtu: number | undefined): void {
  const limit = pathMtu === undefined ? unknownMtuRequestLimit : pathMtu - 200;
  const tooLarge = pathMtu === undefined ? size > limit : size >= limit;
  if (tooLarge) {
    throw new TransportError(
      "TRANSPORT.MESSAGE_TOO_LARGE",
      `a ${size}-byte request must go over a congestion-controlled transport (UDP limit ${limit} bytes)`,
    );
  }
}
