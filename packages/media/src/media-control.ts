import type { CallStats } from "./media-stats.ts";

/** The two sides of a relayed call: the phone that placed it and the one (or carrier) it reaches. */
export type LegSide = "caller" | "callee";

/** NAT handling for one leg. */
export interface LegOptions {
  /**
   * Learn where to send this phone's media from the packets it sends (symmetric RTP, for
   * phones behind NAT). Default true; false trusts its SDP address, as for a carrier that
   * sends from somewhere else than it receives (rtpengine's `asymmetric` flag).
   */
  readonly symmetric?: boolean;
}

export interface AllocateRequest {
  /**
   * The controller's key for this call, unique while the call lasts. A B2BUA uses its own id for
   * the bridged call, not either leg's SIP Call-ID (rtpengine keys on call-id plus tags instead).
   */
  readonly callId: string;
  /** The first SDP offer of the call, as that leg's phone sent it. */
  readonly offer: string;
  /**
   * The leg whose phone wrote `offer`: the caller, unless the INVITE came without SDP and the
   * callee's 200 OK carries the offer (late offer, RFC 3261 §13.2.1). Default `caller`.
   */
  readonly from?: LegSide;
  readonly legs?: { readonly caller?: LegOptions; readonly callee?: LegOptions };
}

export interface Allocation {
  readonly callId: string;
  /** The offer rewritten for the other leg: every address and port in it is the relay's. */
  readonly sdp: string;
}

export interface UpdateRequest {
  readonly callId: string;
  /** The leg whose phone wrote `sdp`. */
  readonly from: LegSide;
  /**
   * `answer` completes the exchange the last offer began (183 or 200 with SDP, or the ACK of a
   * late offer); `offer` opens a new one from either side (re-INVITE, UPDATE: hold, resume,
   * codec change).
   */
  readonly kind: "offer" | "answer";
  readonly sdp: string;
}

export interface UpdateResult {
  /** `sdp` rewritten for the other leg. */
  readonly sdp: string;
}

/**
 * Why the media side ended a call on its own. The relay has already released it when it says so;
 * the controller hangs up both legs.
 *
 * - `media-timeout`: no RTP in either direction for the inactivity timeout after the answer;
 * - `hold-timeout`: the same, while every stream is on hold or inactive (a longer timeout);
 * - `offer-timeout`: an offer was never answered.
 */
export type TeardownReason = "media-timeout" | "hold-timeout" | "offer-timeout";

export interface MediaTeardown {
  readonly callId: string;
  readonly reason: TeardownReason;
  /** The final figures, as {@link MediaControl.release} would have returned them. */
  readonly stats: CallStats;
}

/**
 * The seam between call logic and whatever relays its media. The in-process relay
 * ({@link RtpRelay}) implements it today; an adapter for rtpengine's NG protocol can take its
 * place without the B2BUA noticing:
 *
 * | here | rtpengine NG |
 * | --- | --- |
 * | `allocate` | `offer` (call-id, from-tag of the caller leg, sdp) |
 * | `update` kind `answer` | `answer` (call-id, from-tag, to-tag, sdp) |
 * | `update` kind `offer` | `offer` again, tags swapped when the callee offers |
 * | `release` | `delete` (returns final stats) |
 * | `stats` | `query` |
 * | `onTeardown` | the `b2b-url` callback rtpengine makes on timeout |
 *
 * Every operation of one call is applied in the order it was called.
 */
export interface MediaControl {
  /**
   * Reserves media for a new call from its first offer and returns that offer rewritten for the
   * other leg.
   * @throws MediaError `MEDIA.CALL_EXISTS`, `MEDIA.INVALID_SDP`, `MEDIA.PORTS_EXHAUSTED`,
   *   `MEDIA.BIND_FAILED`, `MEDIA.RELAY_CLOSED`; nothing stays allocated after a failure.
   */
  allocate(request: AllocateRequest): Promise<Allocation>;
  /**
   * Takes a later SDP from either leg (the answer, or a new offer) and returns it rewritten for
   * the other leg. Streams added by a new offer get ports; streams set to port 0 give theirs back.
   * @throws MediaError `MEDIA.CALL_NOT_FOUND`, `MEDIA.INVALID_SDP`, `MEDIA.PORTS_EXHAUSTED`,
   *   `MEDIA.BIND_FAILED`; after a failure the call keeps its previous media.
   */
  update(request: UpdateRequest): Promise<UpdateResult>;
  /** Frees the call's ports and returns its final figures; undefined when the call is unknown (already released). */
  release(callId: string): Promise<CallStats | undefined>;
  /** The call's figures now; undefined when the call is unknown. */
  stats(callId: string): Promise<CallStats | undefined>;
  /** Subscribes to calls the media side ended itself; returns the unsubscribe function. */
  onTeardown(listener: (event: MediaTeardown) => void): () => void;
}
