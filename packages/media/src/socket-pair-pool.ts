import type { SocketType } from "node:dgram";
import type { Clock } from "./clock.ts";
import { MediaError } from "./media-error.ts";
import type { PortPool } from "./port-pool.ts";
import { bindSocketPair, closeSocketPair, type SocketPair } from "./socket-pair.ts";

export interface SocketPairPoolOptions {
  /** The range fresh pairs are bound from; idle pairs keep their ports out of it. */
  readonly ports: PortPool;
  /** The IP literal to bind. */
  readonly address: string;
  readonly type: SocketType;
  /** SO_RCVBUF for each socket; the kernel default when absent. */
  readonly receiveBufferBytes?: number;
  /** How many released pairs stay bound for reuse; 0 closes every pair on release. */
  readonly idleLimit: number;
  /** How long a released pair rests before it is reused while a fresh pair can still be bound. */
  readonly quarantineMs: number;
  readonly clock: Clock;
}

/**
 * Bound RTP/RTCP socket pairs for call legs, kept warm: a released pair is not closed but waits,
 * still bound and with no 'message' listener (so whatever reaches it is read and dropped), in a
 * queue of idle pairs for a later leg. A leg thus costs no socket creation, bind or close in the
 * steady state, which at hundreds of calls a second is a visible share of the CPU per call.
 *
 * The idle queue is first in, first out, and a pair is reused only after `quarantineMs`: packets
 * the ended call's phones still send (they stop only after their BYE) fall on the idle pair, not
 * on the next call, which would otherwise latch onto the old phone if its packet came first
 * (see `SymmetricLatch`). A younger idle pair is taken only when no fresh pair of the range
 * can be bound, rather than failing the call.
 *
 * Idle sockets are unreferenced, so a relay with no calls keeps no process alive.
 */
export class SocketPairPool {
  readonly #options: SocketPairPoolOptions;
  /** Idle pairs, a ring buffer in release order, with the clock time each was released. */
  readonly #idle: (SocketPair | undefined)[];
  readonly #idleSince: Float64Array;
  #head = 0;
  #count = 0;
  #closed = false;

  constructor(options: SocketPairPoolOptions) {
    this.#options = options;
    this.#idle = new Array(options.idleLimit).fill(undefined);
    this.#idleSince = new Float64Array(options.idleLimit);
  }

  /** Pairs a new leg can have now: idle ones, and free ones of the range. */
  get available(): number {
    return this.#options.ports.available + this.#count;
  }

  /** How many released pairs wait, bound, for reuse. */
  get idle(): number {
    return this.#count;
  }

  /**
   * An idle pair released at least `quarantineMs` ago, else a freshly bound one, else the idle
   * pair released longest ago.
   *
   * @throws MediaError `MEDIA.PORTS_EXHAUSTED` when no pair is idle and none of the range can be
   *   bound, `MEDIA.BIND_FAILED` when the address itself cannot be bound.
   */
  async acquire(): Promise<SocketPair> {
    if (this.#count > 0 && this.#oldestIdleAge() >= this.#options.quarantineMs) return this.#reuse();
    const { ports, address, type, receiveBufferBytes } = this.#options;
    if (ports.available > 0 || this.#count === 0) {
      try {
        return await bindSocketPair({
          pool: ports,
          address,
          type,
          ...(receiveBufferBytes === undefined ? {} : { receiveBufferBytes }),
        });
      } catch (error) {
        if (!(error instanceof MediaError && error.code === "MEDIA.PORTS_EXHAUSTED") || this.#count === 0)
          throw error;
      }
    }
    return this.#reuse();
  }

  /**
   * Takes back a pair a leg no longer uses: its 'message' listeners are removed, so nothing that
   * arrives from now on reaches the leg. When the idle queue is full the pair is closed and its
   * ports go back to the range; the pairs already waiting are older, so nearer to reuse.
   */
  release(pair: SocketPair): void {
    pair.rtp.removeAllListeners("message");
    pair.rtcp.removeAllListeners("message");
    if (this.#closed || this.#count === this.#idle.length) {
      closeSocketPair(pair, this.#options.ports);
      return;
    }
    pair.rtp.unref();
    pair.rtcp.unref();
    const slot = (this.#head + this.#count) % this.#idle.length;
    this.#idle[slot] = pair;
    this.#idleSince[slot] = this.#options.clock.now();
    this.#count++;
  }

  /** Closes every idle pair; pairs released later are closed at once. */
  close(): void {
    this.#closed = true;
    while (this.#count > 0) closeSocketPair(this.#shift(), this.#options.ports);
  }

  #oldestIdleAge(): number {
    return this.#options.clock.now() - this.#idleSince[this.#head]!;
  }

  #reuse(): SocketPair {
    const pair = this.#shift();
    pair.rtp.ref();
    pair.rtcp.ref();
    return pair;
  }

  #shift(): SocketPair {
    const pair = this.#idle[this.#head]!;
    this.#idle[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#idle.length;
    this.#count--;
    return pair;
  }
}
