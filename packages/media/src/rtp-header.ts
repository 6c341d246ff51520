/**
 * What arrived on a relay socket, read from the fixed RTP header only (the first 12 bytes and
 * the CSRC list). The payload is never read.
 *
 * - `rtp`: an RTP version 2 data packet long enough for its header;
 * - `rtcp`: an RTCP version 2 packet (on the RTCP port, or multiplexed on the RTP port);
 * - `junk`: anything else (STUN, keep-alives, scanners, truncated packets), dropped and counted.
 */
export type PacketKind = "rtp" | "rtcp" | "junk";

const RTP_FIXED_HEADER = 12;
/** Version, padding, report count, packet type and length, then the sender's SSRC. */
const RTCP_MIN_LENGTH = 8;

/**
 * @remarks RFC 3550 §5.1: "version (V): 2 bits — This field identifies the version of RTP.
 * The version defined by this specification is two (2)." Appendix A.1 lists it first among the
 * validity checks: "RTP version field must equal 2."
 *
 * RFC 5761 §4 keeps RTP and RTCP apart on a shared port by the second octet: RTCP packet types
 * are 192–223, and "payload type values in the range 64-95 MUST NOT be used" for RTP, so no
 * RTP packet (marker bit included) has a second octet in that range.
 */
export function classifyPacket(packet: Uint8Array): PacketKind {
  if (packet.length < RTCP_MIN_LENGTH || packet[0]! >> 6 !== 2) return "junk";
  const secondOctet = packet[1]!;
  if (secondOctet >= 192 && secondOctet <= 223) return "rtcp";
  const csrcCount = packet[0]! & 0x0f;
  return packet.length >= RTP_FIXED_HEADER + 4 * csrcCount ? "rtp" : "junk";
}

/** The 16-bit sequence number of a packet {@link classifyPacket} called `rtp`. */
export function rtpSequenceNumber(packet: Uint8Array): number {
  return (packet[2]! << 8) | packet[3]!;
}

/** The synchronization source of a packet {@link classifyPacket} called `rtp`. */
export function rtpSsrc(packet: Uint8Array): number {
  return ((packet[8]! << 24) | (packet[9]! << 16) | (packet[10]! << 8) | packet[11]!) >>> 0;
}
