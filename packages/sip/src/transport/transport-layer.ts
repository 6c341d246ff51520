import { lookup as dnsLookup } from "node:dns/promises";
import { SipParseError } from "../grammar/sip-parse-error.ts";
import { formatVia } from "../grammar/via.ts";
import type { MessageLimits } from "../message/limits.ts";
import { type ParseOptions, parseMessage } from "../message/parse-message.ts";
import { serializeMessage } from "../message/serialize-message.ts";
import type { SipMessage, SipRequest, SipResponse } from "../message/types.ts";
import { rfc3261_8_2_6_badRequestResponse } from "./bad-request-response.ts";
import { canonicalIp, ipFamily } from "./ip-address.ts";
import {
  defaultPort,
  type ResponseDestination,
  rfc3261_18_2_2_responseDestinations,
} from "./response-destinations.ts";
import type {
  InboundBytes,
  LocalEndpoint,
  RemoteEndpoint,
  SendTarget,
  Transport,
  TransportProtocol,
} from "./transport.ts";
import { TransportError } from "./transport-error.ts";
import { rfc3261_18_1_1_checkUdpRequestSize } from "./udp-size-limit.ts";
import { rfc3261_18_2_1_stampVia } from "./via-stamp.ts";

/** A parsed message and where it came from. */
export interface InboundMessage {
  message: SipMessage;
  source: RemoteEndpoint;
  local: LocalEndpoint;
}

/** Where a request came from, which is where its responses go first. */
export interface ReceivedFrom {
  source: RemoteEndpoint;
  local: LocalEndpoint;
}

/** Where to send a request: the result of the caller's URI resolution (RFC 3263). */
export interface RequestTarget {
  protocol: TransportProtocol;
  /** An IP literal, or a name resolved with A/AAAA records. */
  host: string;
  /** Default: 5060, 5061 (TLS), 80 (WS) or 443 (WSS). */
  port?: number;
  /** A connection (flow) to prefer, e.g. the one a phone registered over. */
  connectionId?: string;
  /** Send a UDP request over the §18.1.1 size limit anyway (the peer has no TCP). */
  allowOversizedUdp?: boolean;
}

/** Why an inbound message was not delivered; for logs and metrics. */
export interface Discard {
  reason: "unparseable" | "response-without-via" | "bad-request-not-sent" | "handler-failed";
  source: RemoteEndpoint;
  error?: unknown;
}

/** The transport as a transaction needs it: bound to one destination. */
export interface MessageFlow {
  readonly reliable: boolean;
  send(message: SipMessage): Promise<void>;
  /** The response as `send` would put it on the wire, to send now and again later (response flows). */
  serializeResponse?(response: SipResponse): PreparedResponse;
}

export type AddressLookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

export interface TransportLayerOptions extends MessageLimits {
  transports: Transport[];
  /**
   * The path MTU towards UDP peers, when known; otherwise requests over 1300 bytes are
   * refused over UDP (RFC 3261 §18.1.1).
   */
  pathMtu?: number;
  /** A/AAAA resolution; default `dns.lookup` (the system resolver, /etc/hosts included). */
  lookup?: AddressLookup;
}

/**
 * The SIP transport layer (RFC 3261 §18): owns the transports, turns their bytes into
 * messages and back, stamps `received`/`rport`, and routes responses.
 *
 * Inbound, every message is parsed and its hot headers checked before it is delivered, so
 * the layers above can read typed headers without guarding against malformed values. A
 * request that fails is answered with a stateless 400 (505, 513) whose reason phrase names
 * the defect, when the headers needed to form a response can be read; anything else that
 * fails is dropped in silence and reported to {@link onDiscard}.
 */
export class TransportLayer {
  readonly #transports: Transport[];
  readonly #limits: MessageLimits;
  /** How every message received is parsed: made once, not per datagram. */
  readonly #parseOptions: ParseOptions;
  readonly #pathMtu: number | undefined;
  readonly #lookup: AddressLookup;
  #handler: ((inbound: InboundMessage) => void) | undefined;
  #discard: ((discard: Discard) => void) | undefined;

  constructor(options: TransportLayerOptions) {
    this.#transports = [...options.transports];
    this.#limits = { maxMessageSize: options.maxMessageSize, maxHeaders: options.maxHeaders };
    this.#parseOptions = { ...this.#limits, validate: true };
    this.#pathMtu = options.pathMtu;
    this.#lookup = options.lookup ?? ((host) => dnsLookup(host, { all: true }));
    for (const transport of this.#transports) {
      transport.onMessage((inbound) => this.#receive(transport, inbound));
    }
  }

  get transports(): readonly Transport[] {
    return this.#transports;
  }

  /** Registers the single receiver of inbound messages (the transaction layer). */
  onMessage(handler: (inbound: InboundMessage) => void): void {
    this.#handler = handler;
  }

  /** Registers an observer of dropped input. */
  onDiscard(handler: (discard: Discard) => void): void {
    this.#discard = handler;
  }

  async listen(): Promise<LocalEndpoint[]> {
    return Promise.all(this.#transports.map((t) => t.listen()));
  }

  async close(): Promise<void> {
    await Promise.all(this.#transports.map((t) => t.close()));
  }

  /**
   * The address and port a Via `sent-by` should carry for requests over `protocol`, or
   * undefined when no such transport listens. A transport bound to a wildcard address
   * reports the wildcard; a caller behind NAT or bound to `0.0.0.0` supplies its public
   * address instead.
   *
   * @remarks RFC 3261 §18.1.1: "Before a request is sent, the client transport MUST insert a
   * value of the "sent-by" field into the Via header field. This field contains an IP address
   * or host name, and port."
   */
  sentBy(protocol: TransportProtocol, family?: 4 | 6): LocalEndpoint | undefined {
    return this.#transports.find(
      (t) =>
        t.protocol === protocol && t.local && (family === undefined || ipFamily(t.local.address) === family),
    )?.local;
  }

  /**
   * Sends a request to the target the caller resolved. Over UDP, a request too large for the
   * path is refused with `TRANSPORT.MESSAGE_TOO_LARGE` (see `rfc3261_18_1_1_checkUdpRequestSize`).
   */
  async sendRequest(request: SipRequest, target: RequestTarget): Promise<void> {
    const bytes = serializeMessage(request);
    if (target.protocol === "udp" && !target.allowOversizedUdp) {
      rfc3261_18_1_1_checkUdpRequestSize(bytes.length, this.#pathMtu);
    }
    const address = await this.#resolve(target.host, target.protocol);
    const transport = this.#pick(target.protocol, address);
    await transport.send(bytes, {
      address,
      port: target.port ?? defaultPort(target.protocol),
      connectionId: target.connectionId,
    });
  }

  /**
   * Sends a response where its top Via says (RFC 3261 §18.2.2, RFC 3581 §4), first over the
   * connection the request arrived on when `receivedFrom` is given.
   *
   * @remarks RFC 3581 §4: "The response MUST be sent from the same address and port that the
   * corresponding request was received on." With `receivedFrom`, the transport bound to
   * `receivedFrom.local` is used.
   */
  async sendResponse(response: SipResponse, receivedFrom?: ReceivedFrom): Promise<void> {
    return this.#prepare(response, receivedFrom, false).send();
  }

  /**
   * The response as {@link sendResponse} sends it: serialized, and its destinations worked out
   * from its top Via and `receivedFrom`, once. Each `send()` then makes the same attempts with
   * the same bytes (names are resolved again each time, as `sendResponse` does), so a server
   * transaction can retransmit a final response without keeping the parsed message. A response
   * that cannot be sent (no Via, unknown Via transport) gives a value whose `send()` rejects
   * with the error `sendResponse` would reject with.
   */
  serializeResponse(response: SipResponse, receivedFrom?: ReceivedFrom): PreparedResponse {
    return this.#prepare(response, receivedFrom, true);
  }

  /**
   * @param kept the bytes will be kept (a final response waiting for retransmissions): they get
   * a buffer of their own, since a slice of Node's shared 8 KiB pool would keep the whole slab
   * alive with them.
   */
  #prepare(response: SipResponse, receivedFrom: ReceivedFrom | undefined, kept: boolean): PreparedResponse {
    try {
      const top = response.headers.via()[0];
      if (!top) throw new TransportError("TRANSPORT.NO_ROUTE", "response has no Via");
      const serialized = serializeMessage(response);
      const bytes = kept ? new Uint8Array(serialized) : serialized;
      const destinations = rfc3261_18_2_2_responseDestinations(top, receivedFrom?.source);
      return new PreparedResponse(this, bytes, destinations, receivedFrom?.local, undefined);
    } catch (error) {
      return new PreparedResponse(this, new Uint8Array(0), [], undefined, error);
    }
  }

  /** Sends a response {@link serializeResponse} prepared: the first time or once more. */
  async sendPreparedResponse(prepared: PreparedResponse): Promise<void> {
    if (prepared.failure !== undefined) throw prepared.failure;
    const { bytes, local } = prepared;
    let failure: unknown;
    for (const destination of prepared.destinations) {
      const target: SendTarget = {
        address: "",
        port: destination.port,
        connectionId: destination.connectionId,
        mayConnect: destination.mayConnect,
      };
      try {
        target.address = await this.#resolve(destination.host, destination.protocol);
        const transport = this.#pick(destination.protocol, target.address, local);
        await transport.send(bytes, target);
        return;
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        failure = error;
      }
    }
    throw failure;
  }

  /** A flow that sends requests to `target` (name resolved once) and responses by their Via. */
  requestFlow(target: RequestTarget): MessageFlow {
    let resolved: Promise<string> | undefined;
    return {
      reliable: target.protocol !== "udp",
      send: async (message) => {
        if (message.kind === "response") return this.sendResponse(message);
        resolved ??= this.#resolve(target.host, target.protocol);
        resolved.catch(() => {
          resolved = undefined;
        });
        return this.sendRequest(message, { ...target, host: await resolved });
      },
    };
  }

  /** A flow that answers a request that arrived from `receivedFrom`. */
  responseFlow(receivedFrom: ReceivedFrom): MessageFlow {
    return new ResponseFlow(this, receivedFrom);
  }

  #receive(transport: Transport, inbound: InboundBytes): void {
    let message: SipMessage;
    try {
      message = parseMessage(inbound.bytes, this.#parseOptions);
      if (message.kind === "request") {
        this.#stampTopVia(message, inbound.source);
      } else if (message.headers.via().length === 0) {
        this.#discard?.({ reason: "response-without-via", source: inbound.source });
        return;
      }
    } catch (error) {
      this.#refuse(transport, inbound, error);
      return;
    }
    try {
      this.#handler?.({ message, source: inbound.source, local: inbound.local });
    } catch (error) {
      this.#discard?.({ reason: "handler-failed", source: inbound.source, error });
    }
  }

  /** @remarks RFC 3261 §18.2.1 and RFC 3581 §4, see {@link rfc3261_18_2_1_stampVia}. */
  #stampTopVia(request: SipRequest, source: RemoteEndpoint): void {
    const top = request.headers.via()[0];
    if (!top) throw new SipParseError("BAD_VIA", "request without Via", "via");
    const stamped = rfc3261_18_2_1_stampVia(top, source);
    if (stamped === top) return;
    request.headers.removeFirstValue("via");
    request.headers.prepend("via", formatVia(stamped));
  }

  #refuse(transport: Transport, inbound: InboundBytes, error: unknown): void {
    this.#discard?.({ reason: "unparseable", source: inbound.source, error });
    if (!(error instanceof SipParseError)) return;
    const response = rfc3261_8_2_6_badRequestResponse(inbound.bytes, error.status, error.reason);
    if (!response) return;
    // The Via may be what failed to parse, so the answer goes back to where the bytes came
    // from (RFC 3581 symmetric response), over the same connection for streams.
    transport.send(response, { ...inbound.source, mayConnect: false }).catch((sendError: unknown) => {
      this.#discard?.({ reason: "bad-request-not-sent", source: inbound.source, error: sendError });
    });
  }

  async #resolve(host: string, protocol: TransportProtocol): Promise<string> {
    const literal = canonicalIp(host);
    if (literal !== undefined) return literal;
    let addresses: Array<{ address: string; family: number }>;
    try {
      addresses = await this.#lookup(host);
    } catch (cause) {
      throw new TransportError("TRANSPORT.UNRESOLVABLE", `cannot resolve ${host}`, { cause });
    }
    for (const { address } of addresses) {
      const canonical = canonicalIp(address);
      if (canonical !== undefined && this.#candidates(protocol, canonical).length > 0) return canonical;
    }
    throw new TransportError("TRANSPORT.UNRESOLVABLE", `${host} has no address reachable over ${protocol}`);
  }

  /**
   * The transport to send from: the one bound to `local` when given, else one of the
   * protocol bound to the destination's address family.
   */
  #pick(protocol: TransportProtocol, address: string, local?: LocalEndpoint): Transport {
    const candidates = this.#candidates(protocol, address);
    const exact =
      local && candidates.find((t) => t.local?.address === local.address && t.local.port === local.port);
    const chosen = exact ?? candidates[0];
    if (!chosen) {
      throw new TransportError("TRANSPORT.NO_TRANSPORT", `no ${protocol} transport can reach ${address}`);
    }
    return chosen;
  }

  /** Listening transports of `protocol` that can reach `address`, same-family ones first. */
  #candidates(protocol: TransportProtocol, address: string): Transport[] {
    const family = ipFamily(address);
    const sameFamily: Transport[] = [];
    const dualStack: Transport[] = [];
    for (const t of this.#transports) {
      if (t.protocol !== protocol || !t.local) continue;
      if (ipFamily(t.local.address) === family) sameFamily.push(t);
      else if (family === 4 && t.local.address === "::") dualStack.push(t);
    }
    return [...sameFamily, ...dualStack];
  }
}

/**
 * A response as bytes with the places to send them, worked out once by
 * {@link TransportLayer.serializeResponse}; each `send()` is one transmission.
 */
export class PreparedResponse {
  readonly bytes: Uint8Array;
  /** Where to try, in order (RFC 3261 §18.2.2, RFC 3581 §4). */
  readonly destinations: readonly ResponseDestination[];
  /** The address the request arrived on, which the response leaves from (RFC 3581 §4). */
  readonly local: LocalEndpoint | undefined;
  /** Why the response cannot be sent, when it cannot; `send()` rejects with it. */
  readonly failure: unknown;
  readonly #layer: TransportLayer;

  constructor(
    layer: TransportLayer,
    bytes: Uint8Array,
    destinations: readonly ResponseDestination[],
    local: LocalEndpoint | undefined,
    failure: unknown,
  ) {
    this.#layer = layer;
    this.bytes = bytes;
    this.destinations = destinations;
    this.local = local;
    this.failure = failure;
  }

  send(): Promise<void> {
    return this.#layer.sendPreparedResponse(this);
  }
}

/**
 * Answers a request that arrived from `receivedFrom`. A class rather than closures: one lives
 * per server transaction, and under tsx (keepNames) each named closure costs a property array
 * of its own.
 */
class ResponseFlow implements MessageFlow {
  readonly reliable: boolean;
  readonly #layer: TransportLayer;
  readonly #receivedFrom: ReceivedFrom;

  constructor(layer: TransportLayer, receivedFrom: ReceivedFrom) {
    this.#layer = layer;
    this.#receivedFrom = receivedFrom;
    this.reliable = receivedFrom.source.protocol !== "udp";
  }

  send(message: SipMessage): Promise<void> {
    const { source } = this.#receivedFrom;
    return message.kind === "response"
      ? this.#layer.sendResponse(message, this.#receivedFrom)
      : this.#layer.sendRequest(message, {
          protocol: source.protocol,
          host: source.address,
          port: source.port,
          connectionId: source.connectionId,
        });
  }

  serializeResponse(response: SipResponse): PreparedResponse {
    return this.#layer.serializeResponse(response, this.#receivedFrom);
  }
}
