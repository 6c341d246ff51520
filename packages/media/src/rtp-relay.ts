import type { Endpoint } from "./endpoint.ts";
import type {
  AllocateRequest,
  Allocation,
  LegSide,
  MediaControl,
  MediaTeardown,
  TeardownReason,
  UpdateRequest,
  UpdateResult,
} from "./media-control.ts";
import { MediaError } from "./media-error.ts";
import type { CallStats } from "./media-stats.ts";
import { PortPool } from "./port-pool.ts";
import { RelayCall, type RelayStream } from "./relay-call.ts";
import { RelayLeg } from "./relay-leg.ts";
import { type ResolvedRelayConfig, type RtpRelayConfig, resolveRelayConfig } from "./rtp-relay-config.ts";
import { type MediaLine, readSdp, type SdpView } from "./sdp-media.ts";
import { type RelayPorts, rewriteSdp } from "./sdp-rewrite.ts";
import { SocketPairPool } from "./socket-pair-pool.ts";

/**
 * The in-process RTP/RTCP relay: a {@link MediaControl} that gives each leg and stream a UDP
 * socket pair from a port range (kept bound after the call for later ones, {@link SocketPairPool}), rewrites SDP to point both phones at it, latches onto phones
 * behind NAT, counts packets, bytes and loss per stream, and ends calls whose media stopped.
 *
 * Media never leaves memory: packets are forwarded as they arrive and only counters are kept.
 */
export class RtpRelay implements MediaControl {
  readonly #config: ResolvedRelayConfig;
  readonly #pool: PortPool;
  readonly #pairs: SocketPairPool;
  readonly #calls = new Map<string, RelayCall>();
  readonly #listeners = new Set<(event: MediaTeardown) => void>();
  #sweepTimer: unknown;
  #closed = false;

  /** @throws MediaError `MEDIA.INVALID_CONFIG` */
  constructor(config: RtpRelayConfig = {}) {
    this.#config = resolveRelayConfig(config);
    this.#pool = new PortPool(this.#config.portMin, this.#config.portMax);
    this.#pairs = new SocketPairPool({
      ports: this.#pool,
      address: this.#config.bindAddress,
      type: this.#config.ipVersion === 6 ? "udp6" : "udp4",
      ...(this.#config.socketReceiveBufferBytes === undefined
        ? {}
        : { receiveBufferBytes: this.#config.socketReceiveBufferBytes }),
      idleLimit: this.#config.idleSocketPairs ?? this.#pool.available,
      quarantineMs: this.#config.socketPairQuarantineMs,
      clock: this.#config.clock,
    });
  }

  /** Calls currently holding media. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /** RTP/RTCP port pairs of the range no call uses: free ones and idle bound ones. */
  get availablePortPairs(): number {
    return this.#pairs.available;
  }

  async allocate(request: AllocateRequest): Promise<Allocation> {
    if (this.#closed) throw new MediaError("MEDIA.RELAY_CLOSED", "the media relay is closed");
    if (this.#calls.has(request.callId)) {
      throw new MediaError("MEDIA.CALL_EXISTS", `call ${request.callId} already has media`);
    }
    const offer = readSdp(request.offer);
    const call = new RelayCall(
      request.callId,
      {
        caller: request.legs?.caller?.symmetric ?? true,
        callee: request.legs?.callee?.symmetric ?? true,
      },
      this.#config.clock.now(),
    );
    this.#calls.set(call.callId, call);
    this.#scheduleSweep();
    try {
      const sdp = await call.serially(() => this.#apply(call, request.from ?? "caller", "offer", offer));
      return { callId: call.callId, sdp };
    } catch (error) {
      if (this.#calls.get(call.callId) === call) this.#discard(call);
      throw error;
    }
  }

  async update(request: UpdateRequest): Promise<UpdateResult> {
    const call = this.#calls.get(request.callId);
    if (call === undefined) throw notFound(request.callId);
    const view = readSdp(request.sdp);
    const sdp = await call.serially(() => this.#apply(call, request.from, request.kind, view));
    return { sdp };
  }

  async release(callId: string): Promise<CallStats | undefined> {
    const call = this.#calls.get(callId);
    return call === undefined ? undefined : this.#discard(call);
  }

  async stats(callId: string): Promise<CallStats | undefined> {
    return this.#calls.get(callId)?.stats(this.#config.clock.now());
  }

  onTeardown(listener: (event: MediaTeardown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Releases every call without teardown events, closes every socket and refuses new calls. */
  close(): void {
    this.#closed = true;
    for (const call of [...this.#calls.values()]) this.#discard(call);
    this.#pairs.close();
  }

  /**
   * Applies one SDP from `from`'s phone in two steps, so a failure changes nothing: first every
   * socket pair a new stream needs is bound, then the call is updated and the SDP rewritten.
   */
  async #apply(call: RelayCall, from: LegSide, kind: "offer" | "answer", view: SdpView): Promise<string> {
    if (call.released) throw notFound(call.callId);
    const opened: RelayStream[] = [];
    try {
      for (const line of view.media) {
        if (line.relayed && call.streams[line.index] === undefined)
          opened.push(await this.#openStream(call, line));
      }
    } catch (error) {
      for (const stream of opened) this.#closeStream(stream);
      throw error;
    }
    if (call.released) {
      for (const stream of opened) this.#closeStream(stream);
      throw notFound(call.callId);
    }
    for (const stream of opened) call.streams[stream.index] = stream;
    const to: LegSide = from === "caller" ? "callee" : "caller";
    const ports: (RelayPorts | undefined)[] = [];
    for (const line of view.media) {
      const stream = call.streams[line.index];
      if (stream === undefined) continue;
      if (!line.relayed) {
        this.#closeStream(stream);
        call.streams[line.index] = undefined;
        continue;
      }
      stream.type = line.type;
      stream[from].learn({
        rtp: this.#reachable(line.rtp),
        rtcp: this.#reachable(line.rtcp),
        direction: line.direction,
      });
      stream.caller.rtpBased = line.rtpBased;
      stream.callee.rtpBased = line.rtpBased;
      ports[line.index] = { rtp: stream[to].port, rtcp: stream[to].port + 1 };
    }
    if (kind === "answer") call.state = "answered";
    call.lastSignalAt = this.#config.clock.now();
    return rewriteSdp(view, {
      address: this.#config.advertisedAddress,
      ipVersion: this.#config.ipVersion,
      replaceOrigin: this.#config.replaceOrigin,
      ports,
    });
  }

  async #openStream(call: RelayCall, line: MediaLine): Promise<RelayStream> {
    const caller = await this.#openLeg(call.symmetric.caller);
    let callee: RelayLeg;
    try {
      callee = await this.#openLeg(call.symmetric.callee);
    } catch (error) {
      this.#pairs.release(caller.pair);
      throw error;
    }
    caller.peer = callee;
    callee.peer = caller;
    return { index: line.index, type: line.type, caller, callee };
  }

  async #openLeg(symmetric: boolean): Promise<RelayLeg> {
    return new RelayLeg({
      pair: await this.#pairs.acquire(),
      advertisedAddress: this.#config.advertisedAddress,
      symmetric,
      strictSource: this.#config.strictSource,
      clock: this.#config.clock,
    });
  }

  #closeStream(stream: RelayStream): void {
    stream.caller.peer = undefined;
    stream.callee.peer = undefined;
    this.#pairs.release(stream.caller.pair);
    this.#pairs.release(stream.callee.pair);
  }

  /**
   * An SDP endpoint the relay can send to: one of its own address family, and not one of its own
   * ports (an SDP the relay already rewrote, fed back to it, would make packets loop forever).
   */
  #reachable(endpoint: Endpoint | undefined): Endpoint | undefined {
    // An endpoint's address is an IP literal (readSdp checked it): only IPv6 text has a colon.
    if (endpoint === undefined || endpoint.address.includes(":") !== (this.#config.ipVersion === 6))
      return undefined;
    const own =
      endpoint.address === this.#config.advertisedAddress || endpoint.address === this.#config.bindAddress;
    return own && this.#pool.covers(endpoint.port) ? undefined : endpoint;
  }

  /** Frees everything the call holds and returns its final figures. */
  #discard(call: RelayCall): CallStats {
    const stats = call.stats(this.#config.clock.now());
    for (const stream of call.streams) if (stream !== undefined) this.#closeStream(stream);
    call.streams.length = 0;
    call.state = "released";
    this.#calls.delete(call.callId);
    if (this.#calls.size === 0 && this.#sweepTimer !== undefined) {
      this.#config.clock.clearTimeout(this.#sweepTimer);
      this.#sweepTimer = undefined;
    }
    return { ...stats, state: "released" };
  }

  /** The check timer runs only while calls exist, so an idle relay keeps no process alive. */
  #scheduleSweep(): void {
    if (this.#sweepTimer !== undefined || this.#calls.size === 0) return;
    this.#sweepTimer = this.#config.clock.setTimeout(this.#sweep, this.#config.checkIntervalMs);
  }

  readonly #sweep = (): void => {
    this.#sweepTimer = undefined;
    const now = this.#config.clock.now();
    for (const call of [...this.#calls.values()]) {
      const reason = this.#expiry(call, now);
      if (reason !== undefined) this.#emit({ callId: call.callId, reason, stats: this.#discard(call) });
    }
    this.#scheduleSweep();
  };

  #expiry(call: RelayCall, now: number): TeardownReason | undefined {
    const idle = now - call.lastActivityAt();
    if (call.state === "offered") return idle >= this.#config.offerTimeoutMs ? "offer-timeout" : undefined;
    if (call.onHold()) return idle >= this.#config.holdTimeoutMs ? "hold-timeout" : undefined;
    return idle >= this.#config.inactivityTimeoutMs ? "media-timeout" : undefined;
  }

  /** A listener that throws does not stop the others or the timer; its error surfaces as uncaught. */
  #emit(event: MediaTeardown): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

function notFound(callId: string): MediaError {
  return new MediaError("MEDIA.CALL_NOT_FOUND", `call ${callId} has no media`);
}
