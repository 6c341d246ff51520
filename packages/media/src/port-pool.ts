import { MediaError } from "./media-error.ts";

/**
 * The RTP/RTCP port pairs of a configured range: an even port for RTP and the next odd port
 * for RTCP. Pairs are handed out oldest-released first, so a port that just closed is the last
 * to be reused and stray packets of an ended call do not land in a new one.
 *
 * @remarks RFC 3550 §11: "For UDP and similar protocols, RTP SHOULD use an even destination
 * port number and the corresponding RTCP stream SHOULD use the next higher (odd) destination
 * port number."
 */
export class PortPool {
  /** Free even ports, a ring buffer in release order. */
  readonly #free: Int32Array;
  #head = 0;
  #count = 0;
  readonly #inUse = new Set<number>();
  readonly #first: number;

  /** @throws MediaError `MEDIA.INVALID_CONFIG` when the range holds no even/odd pair. */
  constructor(
    readonly portMin: number,
    readonly portMax: number,
  ) {
    if (!isPort(portMin) || !isPort(portMax) || portMin > portMax) {
      throw new MediaError(
        "MEDIA.INVALID_CONFIG",
        `port range ${portMin}-${portMax} is not a range of UDP ports`,
      );
    }
    this.#first = portMin % 2 === 0 ? portMin : portMin + 1;
    const pairs = Math.max(0, Math.floor((portMax - this.#first + 1) / 2));
    if (pairs === 0) {
      throw new MediaError(
        "MEDIA.INVALID_CONFIG",
        `port range ${portMin}-${portMax} holds no even/odd port pair`,
      );
    }
    this.#free = new Int32Array(pairs);
    for (let i = 0; i < pairs; i++) this.#free[i] = this.#first + 2 * i;
    this.#count = pairs;
  }

  /** How many pairs the range holds. */
  get size(): number {
    return this.#free.length;
  }

  /** How many pairs are free now. */
  get available(): number {
    return this.#count;
  }

  /**
   * Takes the pair that has been free the longest and returns its even (RTP) port.
   * @throws MediaError `MEDIA.PORTS_EXHAUSTED` when every pair is taken.
   */
  take(): number {
    if (this.#count === 0) {
      throw new MediaError(
        "MEDIA.PORTS_EXHAUSTED",
        `all ${this.size} RTP/RTCP port pairs of ${this.portMin}-${this.portMax} are in use`,
      );
    }
    const port = this.#free[this.#head]!;
    this.#head = (this.#head + 1) % this.#free.length;
    this.#count--;
    this.#inUse.add(port);
    return port;
  }

  /** Returns a pair to the end of the queue; a port that is not taken is ignored. */
  give(rtpPort: number): void {
    if (!this.#inUse.delete(rtpPort)) return;
    this.#free[(this.#head + this.#count) % this.#free.length] = rtpPort;
    this.#count++;
  }

  /** Whether `port` (RTP or RTCP) lies in the range this pool hands out. */
  covers(port: number): boolean {
    return port >= this.#first && port < this.#first + 2 * this.size;
  }
}

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}
