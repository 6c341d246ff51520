import { type Endpoint, sameEndpoint } from "./endpoint.ts";

/**
 * Where one relay socket sends packets to its phone, and which packets it accepts from it.
 *
 * With `symmetric` on (the default, for phones that may sit behind NAT) the destination is the
 * source of the first packet that arrives after each SDP from that phone: "latching", as
 * rtpengine learns endpoints and as Asterisk's comedia does. Until then the SDP address is used.
 * With `symmetric` off (rtpengine's `asymmetric` flag) the SDP address is trusted and never
 * changed by traffic.
 *
 * Hijack rule: a stream latches once per SDP. After it latched, a packet from any other source
 * cannot move the destination; with `strictSource` it is also dropped, so a third party who
 * guesses the port can neither steal the callee's audio nor inject into it. A phone whose
 * NAT binding changes mid-call is followed again after its next re-INVITE or UPDATE. Relay
 * sockets are bound to one address family, so a latch only ever learns a source of the family
 * the relay advertises in SDP.
 *
 * @remarks RFC 4961 (abstract): "This document recommends using one UDP port pair for both
 * communication directions of bidirectional RTP and RTP Control Protocol (RTCP) sessions,
 * commonly called "symmetric RTP" and "symmetric RTCP"." Latching relies on phones doing this,
 * and the relay does it too: each leg's packets leave from the socket that leg sends to.
 * rtpengine's `strict-source` flag: "check the source addresses of all incoming RTP packets and
 * drop the packets if the address doesn't match" (Kamailio rtpengine module documentation).
 */
export class SymmetricLatch {
  #advertised: Endpoint | undefined;
  #destination: Endpoint | undefined;
  #latched = false;

  constructor(
    readonly symmetric: boolean,
    readonly strictSource: boolean,
  ) {}

  /** Where packets for the phone go now, if known. */
  get destination(): Endpoint | undefined {
    return this.#destination;
  }

  /** Whether the destination was learnt from traffic since the last SDP. */
  get latched(): boolean {
    return this.#latched;
  }

  /**
   * Takes the endpoint a new SDP from the phone names (undefined when it names none usable, as
   * with `c=0.0.0.0`) and opens the latch again. A latched destination is kept until the next
   * packet unless the SDP endpoint changed, so audio does not stop between the SDP and that packet.
   */
  advertise(endpoint: Endpoint | undefined): void {
    const changed = !sameEndpoint(endpoint, this.#advertised);
    this.#advertised = endpoint;
    this.#latched = false;
    if (changed || !this.symmetric || this.#destination === undefined) this.#destination = endpoint;
  }

  /** Decides on a packet from `address`:`port`; true when it may be relayed. */
  admit(address: string, port: number): boolean {
    if (!this.symmetric) return true;
    const destination = this.#destination;
    if (!this.#latched) {
      if (destination === undefined || destination.address !== address || destination.port !== port) {
        this.#destination = { address, port };
      }
      this.#latched = true;
      return true;
    }
    if (destination !== undefined && destination.address === address && destination.port === port)
      return true;
    return !this.strictSource;
  }
}
