import type { RemoteInfo, Socket } from "node:dgram";
import type { Clock } from "./clock.ts";
import type { Endpoint } from "./endpoint.ts";
import type { LegStreamStats } from "./media-stats.ts";
import { classifyPacket, rtpSequenceNumber, rtpSsrc } from "./rtp-header.ts";
import type { MediaDirection } from "./sdp-media.ts";
import { SequenceTracker } from "./sequence-tracker.ts";
import type { SocketPair } from "./socket-pair.ts";
import { SymmetricLatch } from "./symmetric-latch.ts";

export interface RelayLegOptions {
  readonly pair: SocketPair;
  /** The address phones are told to send to, for the figures. */
  readonly advertisedAddress: string;
  readonly symmetric: boolean;
  readonly strictSource: boolean;
  readonly clock: Clock;
}

/** What this leg's phone last said about the stream in its SDP. */
export interface LegMedia {
  readonly rtp: Endpoint | undefined;
  readonly rtcp: Endpoint | undefined;
  readonly direction: MediaDirection;
}

/**
 * One side of one relayed stream: the socket pair one phone talks to. What arrives from that
 * phone is checked, counted and sent on from the peer leg's sockets to the other phone. Only
 * the RTP header is read; payloads pass through untouched and are never kept.
 */
export class RelayLeg {
  /** The other side of the stream; packets from this leg's phone leave through it. */
  peer: RelayLeg | undefined;
  /** Undefined until this leg's phone has sent SDP for the stream. */
  direction: MediaDirection | undefined;
  /** Whether the stream carries RTP (else, as with T.38 udptl, packets are relayed unread). */
  rtpBased = true;
  readonly pair: SocketPair;
  readonly #advertisedAddress: string;
  readonly #clock: Clock;
  readonly #rtpLatch: SymmetricLatch;
  readonly #rtcpLatch: SymmetricLatch;
  readonly #sequence = new SequenceTracker();
  #rtpPackets = 0;
  #rtpBytes = 0;
  #rtpLastAt: number | undefined;
  #rtcpPackets = 0;
  #rtcpBytes = 0;
  #rtcpLastAt: number | undefined;
  #junk = 0;
  #foreign = 0;
  #undeliverable = 0;

  constructor(options: RelayLegOptions) {
    this.pair = options.pair;
    this.#advertisedAddress = options.advertisedAddress;
    this.#clock = options.clock;
    this.#rtpLatch = new SymmetricLatch(options.symmetric, options.strictSource);
    this.#rtcpLatch = new SymmetricLatch(options.symmetric, options.strictSource);
    this.pair.rtp.on("message", this.#fromPhoneOnRtpPort);
    this.pair.rtcp.on("message", this.#fromPhoneOnRtcpPort);
  }

  /** The relay's RTP port on this side; RTCP is one higher. */
  get port(): number {
    return this.pair.port;
  }

  /** Clock time of the last RTP packet from this leg's phone. */
  get lastRtpAt(): number | undefined {
    return this.#rtpLastAt;
  }

  /** Takes a new SDP from this leg's phone: where it receives, and latching starts over. */
  learn(media: LegMedia): void {
    this.#rtpLatch.advertise(media.rtp);
    this.#rtcpLatch.advertise(media.rtcp);
    this.direction = media.direction;
  }

  stats(): LegStreamStats {
    return {
      local: { address: this.#advertisedAddress, rtpPort: this.pair.port, rtcpPort: this.pair.port + 1 },
      remoteRtp: this.#rtpLatch.destination,
      remoteRtcp: this.#rtcpLatch.destination,
      latched: this.#rtpLatch.latched,
      rtp: {
        packets: this.#rtpPackets,
        bytes: this.#rtpBytes,
        lastPacketAt: this.#rtpLastAt,
        expected: this.#sequence.expected,
        lost: this.#sequence.lost,
      },
      rtcp: { packets: this.#rtcpPackets, bytes: this.#rtcpBytes, lastPacketAt: this.#rtcpLastAt },
      junkPackets: this.#junk,
      foreignPackets: this.#foreign,
      undeliverablePackets: this.#undeliverable,
    };
  }

  readonly #fromPhoneOnRtpPort = (packet: Buffer, from: RemoteInfo): void => {
    const kind = this.rtpBased ? classifyPacket(packet) : "rtp";
    if (kind === "junk") {
      this.#junk++;
      return;
    }
    if (!this.#rtpLatch.admit(from.address, from.port)) {
      this.#foreign++;
      return;
    }
    const now = this.#clock.now();
    if (kind === "rtcp") {
      this.#rtcpPackets++;
      this.#rtcpBytes += packet.length;
      this.#rtcpLastAt = now;
    } else {
      this.#rtpPackets++;
      this.#rtpBytes += packet.length;
      this.#rtpLastAt = now;
      if (this.rtpBased) this.#sequence.record(rtpSsrc(packet), rtpSequenceNumber(packet));
    }
    // RTCP multiplexed on the RTP port (RFC 5761) goes on to the other phone's RTP port too.
    const peer = this.peer;
    if (peer === undefined || !sendToPhone(peer.#rtpLatch.destination, peer.pair.rtp, packet)) {
      this.#undeliverable++;
    }
  };

  readonly #fromPhoneOnRtcpPort = (packet: Buffer, from: RemoteInfo): void => {
    if (this.rtpBased && classifyPacket(packet) !== "rtcp") {
      this.#junk++;
      return;
    }
    if (!this.#rtcpLatch.admit(from.address, from.port)) {
      this.#foreign++;
      return;
    }
    this.#rtcpPackets++;
    this.#rtcpBytes += packet.length;
    this.#rtcpLastAt = this.#clock.now();
    const peer = this.peer;
    if (peer === undefined || !sendToPhone(peer.#rtcpLatch.destination, peer.pair.rtcp, packet)) {
      this.#undeliverable++;
    }
  };
}

/** Sends from the peer's own socket, so the other phone sees symmetric RTP and can latch too. */
function sendToPhone(destination: Endpoint | undefined, socket: Socket, packet: Buffer): boolean {
  if (destination === undefined) return false;
  socket.send(packet, destination.port, destination.address);
  return true;
}
