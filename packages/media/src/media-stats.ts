import type { Endpoint } from "./endpoint.ts";

/** Packets of one kind received from one phone on one stream. */
export interface PacketCounters {
  readonly packets: number;
  /** UDP payload bytes (RTP/RTCP header included). */
  readonly bytes: number;
  /** {@link Clock} time of the last one; absent before the first. */
  readonly lastPacketAt: number | undefined;
}

/** RTP received from one phone, with loss computed from sequence numbers (RFC 3550 A.1/A.3). */
export interface RtpCounters extends PacketCounters {
  /** Packets the sequence numbers say the phone sent, from the first received to the highest. */
  readonly expected: number;
  /** Of those, packets that never arrived at the relay (duplicates do not make it negative). */
  readonly lost: number;
}

/** One side of one relayed stream: the relay's sockets facing one phone, and what came from it. */
export interface LegStreamStats {
  /** The relay's address and ports this phone sends to. */
  readonly local: { readonly address: string; readonly rtpPort: number; readonly rtcpPort: number };
  /** Where the relay sends this phone's RTP: learnt by latching, else from its SDP; absent while unknown. */
  readonly remoteRtp: Endpoint | undefined;
  /** Where the relay sends this phone's RTCP. */
  readonly remoteRtcp: Endpoint | undefined;
  /** Whether the RTP destination was learnt from this phone's packets since its last SDP. */
  readonly latched: boolean;
  /** RTP received from this phone and relayed to the other. */
  readonly rtp: RtpCounters;
  /** RTCP received from this phone (on the RTCP port, or multiplexed on the RTP port). */
  readonly rtcp: PacketCounters;
  /** Dropped: not RTP/RTCP version 2, or too short for its header. */
  readonly junkPackets: number;
  /** Dropped: from another source than the latched one (strict source). */
  readonly foreignPackets: number;
  /** Dropped: valid, but the other phone's address was not known yet. */
  readonly undeliverablePackets: number;
}

/** One relayed `m=` line of the call. */
export interface StreamStats {
  /** Position of the m= line in the SDP. */
  readonly index: number;
  /** `audio`, `video`, `image` ... */
  readonly type: string;
  readonly caller: LegStreamStats;
  readonly callee: LegStreamStats;
}

/**
 * The media state of one call.
 *
 * ```
 *   allocate()            update(kind: "answer")
 *  ──────────► offered ──────────────────────────► answered
 *                 │                                   │
 *                 │ release() / timeout               │ release() / timeout
 *                 ▼                                   ▼
 *              released ◄─────────────────────────────┘
 * ```
 * New offers (re-INVITE, UPDATE) keep a call `answered`.
 */
export type CallMediaState = "offered" | "answered" | "released";

/** What {@link MediaControl.stats} and {@link MediaControl.release} report. */
export interface CallStats {
  readonly callId: string;
  readonly state: CallMediaState;
  /** {@link Clock} time the figures were taken. */
  readonly sampledAt: number;
  /** Milliseconds since the last RTP packet of any stream, or since the last SDP if that is later. */
  readonly idleMs: number;
  /** The relayed streams; m= lines with port 0 or a TCP transport are not listed. */
  readonly streams: readonly StreamStats[];
}
