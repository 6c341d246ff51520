import type { LegSide } from "./media-control.ts";
import type { CallMediaState, CallStats } from "./media-stats.ts";
import type { RelayLeg } from "./relay-leg.ts";

/** One relayed `m=` line: a leg facing each phone, each the other's peer. */
export interface RelayStream {
  readonly index: number;
  type: string;
  readonly caller: RelayLeg;
  readonly callee: RelayLeg;
}

/** The relay's state for one call. */
export class RelayCall {
  state: CallMediaState = "offered";
  /** Indexed by m= line; undefined where a line is not relayed. */
  readonly streams: (RelayStream | undefined)[] = [];
  /** Clock time of the last SDP applied. */
  lastSignalAt: number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly callId: string,
    readonly symmetric: Readonly<Record<LegSide, boolean>>,
    now: number,
  ) {
    this.lastSignalAt = now;
  }

  /** Whether the call was released; read again after every await, as a release may happen meanwhile. */
  get released(): boolean {
    return this.state === "released";
  }

  /** Runs `operation` after every operation queued before it on this call has settled. */
  serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Clock time of the last RTP packet from either phone, or of the last SDP if later. */
  lastActivityAt(): number {
    let latest = this.lastSignalAt;
    for (const stream of this.streams) {
      if (stream === undefined) continue;
      latest = Math.max(latest, stream.caller.lastRtpAt ?? latest, stream.callee.lastRtpAt ?? latest);
    }
    return latest;
  }

  /**
   * Whether no stream is expected to carry media both ways: every stream on hold (sendonly,
   * recvonly), inactive, or disabled. Phones on hold often send nothing at all, so such a
   * call gets the longer hold timeout (rtpengine's silent timeout "applies to muted or
   * inactive media streams"). A leg that has not sent SDP yet counts as sendrecv.
   */
  onHold(): boolean {
    return !this.streams.some(
      (stream) =>
        stream !== undefined &&
        (stream.caller.direction ?? "sendrecv") === "sendrecv" &&
        (stream.callee.direction ?? "sendrecv") === "sendrecv",
    );
  }

  stats(now: number): CallStats {
    return {
      callId: this.callId,
      state: this.state,
      sampledAt: now,
      idleMs: Math.max(0, now - this.lastActivityAt()),
      streams: this.streams.flatMap((stream, index) =>
        stream === undefined
          ? []
          : [{ index, type: stream.type, caller: stream.caller.stats(), callee: stream.callee.stats() }],
      ),
    };
  }
}
