/**
 * One SIP stack: the transport layer, the transaction layer above it, and the core that joins
 * them to the application's delegate.
 *
 * ```
 *   application ── SipStackDelegate (onRequest, onAck, onCancel, onStrayResponse ...)
 *        │  ▲
 *        ▼  │  sendRequest / respond / sendAck / sendStateless / cancel
 *   SipStack ── Via, §18.1.2 response filter, stateless refusals, 2xx retransmission, CANCEL
 *        │  ▲
 *   TransactionLayer ── client and server transactions, timers from the injected clock
 *        │  ▲
 *   TransportLayer ── parse, received/rport, §18.2.2 response routing
 *        │  ▲
 *   UDP · TCP · TLS · WS · WSS
 * ```
 *
 * Like sipgo's layered subscribe (`tpl.OnMessage(txl.handleMessage)`), each layer hands what
 * it receives to the one above; like SIP.js's `UserAgentCore`, the stack answers what a user
 * agent core must answer on its own (CANCEL, malformed requests) and the application sees
 * requests through a delegate.
 */

import { networkInterfaces } from "node:os";
import { type Clock, systemClock, type TimerHandle } from "./clock.ts";
import { formatVia } from "./grammar/via.ts";
import { checkRequest, type RequestCheckOptions, rfc3261_8_1_1 } from "./message/checks.ts";
import { createResponse } from "./message/create-response.ts";
import { generateBranch } from "./message/identifiers.ts";
import type { MessageLimits } from "./message/limits.ts";
import type { SipRequest, SipResponse, Via } from "./message/types.ts";
import { answerCancel } from "./transaction/answer-cancel.ts";
import type { InviteClientTransaction } from "./transaction/invite-client-transaction.ts";
import { InviteServerTransaction } from "./transaction/invite-server-transaction.ts";
import type { NonInviteClientTransaction } from "./transaction/non-invite-client-transaction.ts";
import type { ServerTransaction } from "./transaction/server-transaction.ts";
import type { TimerValues } from "./transaction/timer-values.ts";
import { type CancelOutcome, TransactionLayer } from "./transaction/transaction-layer.ts";
import type {
  ClientTransactionUser,
  TransactionFailure,
  TransactionUser,
} from "./transaction/transaction-user.ts";
import type { ConnectionLimits } from "./transport/connection-limits.ts";
import { canonicalIp, ipFamily } from "./transport/ip-address.ts";
import type { TlsSettings } from "./transport/socket-transport.ts";
import { createTcpTransport } from "./transport/tcp-transport.ts";
import { createTlsTransport } from "./transport/tls-transport.ts";
import type { LocalEndpoint, RemoteEndpoint, Transport, TransportProtocol } from "./transport/transport.ts";
import { TransportError } from "./transport/transport-error.ts";
import {
  type AddressLookup,
  type Discard,
  type InboundMessage,
  type ReceivedFrom,
  type RequestTarget,
  TransportLayer,
} from "./transport/transport-layer.ts";
import { UdpTransport } from "./transport/udp-transport.ts";
import { createWssTransport, createWsTransport, type WsTransportOptions } from "./transport/ws-transport.ts";

/** A transport for the stack to create and listen on. Port 0 lets the system pick one. */
export type ListenSpec =
  | { protocol: "udp"; address: string; port?: number; ipv6Only?: boolean }
  | { protocol: "tcp"; address: string; port?: number }
  | { protocol: "tls"; address: string; port?: number; tls: TlsSettings }
  | ({ protocol: "ws" | "wss" } & Pick<WsTransportOptions, "address" | "port" | "path" | "server" | "tls">);

/** Why the stack dropped or refused something; for logs and metrics. */
export interface SipStackDiscard {
  reason:
    | Discard["reason"]
    /** §18.1.2: a response whose top Via this stack did not write. */
    | "response-not-ours"
    /** A request without the mandatory header fields, answered statelessly (ACK: dropped). */
    | "refused-statelessly"
    /** The delegate threw (or its promise rejected); a request still unanswered got a 500. */
    | "delegate-failed"
    /** A response from `answerStatelessly` could not be sent. */
    | "stateless-answer-not-sent";
  source: RemoteEndpoint;
  error?: unknown;
}

/**
 * The application above the stack: a user agent core, a registrar, a B2BUA. Only
 * `onRequest` is required.
 */
export interface SipStackDelegate {
  /**
   * A new request (not ACK, not CANCEL) that passed the request checks. Answer it through
   * {@link SipStack.respond}, now or later; a thrown error or rejected promise is answered
   * with 500 if nothing final was sent yet.
   */
  onRequest(request: SipRequest, transaction: ServerTransaction, origin: ReceivedFrom): void | Promise<void>;
  /**
   * Asked first about every request but ACK and CANCEL, before any transaction: a response
   * returned here is sent statelessly and no transaction is made, so nothing is kept for the
   * request (unless the request matches a live transaction or fails the request checks: then it
   * takes the stateful path and the response is dropped, so this must have no side effects).
   * Meant for digest challenges, which would otherwise hold a transaction for 64*T1 per 401/407;
   * undefined goes on to `onRequest`.
   *
   * @remarks RFC 3261 §8.2.7: "A stateless UAS ... can be used to respond to requests with
   * challenges" and does not retransmit; "A stateless UAS MUST NOT send provisional (1xx)
   * responses." A retransmitted request is simply answered again (with a fresh nonce), and the
   * ACK of a statelessly sent 401/407 matches nothing and is dropped (§17.2.1 absorbs it only
   * inside a transaction).
   */
  answerStatelessly?(request: SipRequest, origin: ReceivedFrom): SipResponse | undefined;
  /** An ACK for a 2xx (or a stray ACK): it matched no transaction that absorbs it. */
  onAck?(ack: SipRequest, origin: ReceivedFrom): void;
  /** A CANCEL matched `cancelled`; the stack already sent 200 to the CANCEL and 487 to an INVITE still pending. */
  onCancel?(cancel: SipRequest, cancelled: ServerTransaction): void;
  /** A response of ours that matched no client transaction, e.g. a 2xx retransmission after Timer M. */
  onStrayResponse?(response: SipResponse, origin: ReceivedFrom): void;
  /** A 2xx to an INVITE was retransmitted for 64*T1 without an ACK; the session SHOULD be ended with a BYE. */
  onUnacknowledged?(response: SipResponse, transaction: ServerTransaction): void;
  /** A server transaction failed: Timer H fired without an ACK, or a response could not be sent. */
  onTransactionFailure?(failure: TransactionFailure, transaction: ServerTransaction): void;
  /** Dropped or statelessly refused input. */
  onDiscard?(discard: SipStackDiscard): void;
}

export interface SipStackOptions {
  /** Transports to create and listen on, or ready-made ones (e.g. an in-memory transport in tests). */
  transports: ReadonlyArray<ListenSpec | Transport>;
  delegate: SipStackDelegate;
  /** Default: the real clock. Every transaction timer and 2xx retransmission uses it. */
  clock?: Clock;
  /** T1, T2, T4 or any single timer; the others derive from T1, T2, T4 (RFC 3261 Table 4). */
  timers?: Partial<TimerValues>;
  /** Message size and header count limits, and the connection limits of the TCP, TLS and WS transports created from specs. */
  limits?: MessageLimits & ConnectionLimits;
  /** Known path MTU towards UDP peers (RFC 3261 §18.1.1); without it requests over 1300 bytes are refused over UDP. */
  pathMtu?: number;
  /** A/AAAA resolution for request targets given by name; default the system resolver. */
  lookup?: AddressLookup;
  /**
   * Host written into Via sent-by instead of the bound address: a host name or public address.
   * Without it a transport bound to a wildcard address (`0.0.0.0`, `::`) advertises the first
   * non-internal interface address of the target's family.
   */
  advertisedHost?: string;
  /**
   * Checks every new request passes before the delegate sees it (RFC 3261 §8.2); a failure is
   * answered by the stack. `false` turns them off (a proxy core runs its own). Default `{}`.
   */
  requestChecks?: RequestCheckOptions | false;
}

/** A 2xx to an INVITE that the stack keeps sending until its ACK arrives. */
interface Pending2xx {
  readonly transaction: ServerTransaction;
  readonly response: SipResponse;
  interval: number;
  retransmit: TimerHandle | undefined;
  readonly giveUp: TimerHandle;
}

const quietClientUser: ClientTransactionUser = { receiveResponse: () => {} };

/**
 * A SIP stack: transports, transactions and a thin core, wired together.
 *
 * ```ts
 * const stack = new SipStack({
 *   transports: [{ protocol: "udp", address: "127.0.0.1", port: 5060 }],
 *   delegate: { onRequest: (request, tx) => stack.respond(tx, createResponse(request, 200)) },
 * });
 * await stack.listen();
 * ```
 */
export class SipStack {
  readonly transportLayer: TransportLayer;
  readonly transactionLayer: TransactionLayer;
  readonly clock: Clock;
  readonly #delegate: SipStackDelegate;
  readonly #advertisedHost: string | undefined;
  readonly #checks: RequestCheckOptions | false;
  /** Requests whose top Via this stack wrote, so that resending one keeps its Via. */
  readonly #stamped = new WeakSet<SipRequest>();
  /** `host:port` of every sent-by this stack wrote, for the §18.1.2 response check. */
  readonly #ownSentBy = new Set<string>();
  readonly #pending2xx = new Map<string, Pending2xx>();
  /** The message being passed up right now; the transaction layer calls back synchronously. */
  #receiving: InboundMessage | undefined;
  #closed = false;

  constructor(options: SipStackOptions) {
    this.clock = options.clock ?? systemClock;
    this.#delegate = options.delegate;
    this.#advertisedHost = options.advertisedHost;
    this.#checks = options.requestChecks ?? {};
    const limits = options.limits ?? {};
    this.transportLayer = new TransportLayer({
      transports: options.transports.map((spec) =>
        isTransport(spec) ? spec : createTransport(spec, limits),
      ),
      maxMessageSize: limits.maxMessageSize,
      maxHeaders: limits.maxHeaders,
      pathMtu: options.pathMtu,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
    this.transactionLayer = new TransactionLayer({
      user: this.#transactionUser(),
      clock: this.clock,
      ...(options.timers ? { timers: options.timers } : {}),
    });
    this.transportLayer.onMessage((inbound) => this.#receive(inbound));
    this.transportLayer.onDiscard((discard) => this.#delegate.onDiscard?.(discard));
  }

  /** Binds every transport; resolves with the addresses actually bound. */
  listen(): Promise<LocalEndpoint[]> {
    if (this.#closed) return Promise.reject(new Error("the stack is closed"));
    return this.transportLayer.listen();
  }

  /** The bound transports' addresses (after {@link SipStack.listen}). */
  get localEndpoints(): LocalEndpoint[] {
    const out: LocalEndpoint[] = [];
    for (const transport of this.transportLayer.transports) if (transport.local) out.push(transport.local);
    return out;
  }

  /**
   * The host and port this stack writes into Via sent-by for `protocol` (also what a Contact
   * should carry to reach it), for a peer of the given address family.
   *
   * @throws TransportError `TRANSPORT.NO_TRANSPORT` when no listening transport has that protocol.
   * @remarks RFC 3261 §18.1.1: "Before a request is sent, the client transport MUST insert a
   * value of the "sent-by" field into the Via header field. This field contains an IP address or
   * host name, and port." The port is the listening port, not the ephemeral port of an outgoing
   * connection, because §18.2.2 opens a new connection to sent-by when the old one is gone.
   */
  sentBy(protocol: TransportProtocol, family?: 4 | 6): { host: string; port: number } {
    const local = this.transportLayer.sentBy(protocol, family) ?? this.transportLayer.sentBy(protocol);
    if (local === undefined) {
      throw new TransportError("TRANSPORT.NO_TRANSPORT", `no ${protocol} transport is listening`);
    }
    const wantedFamily = family ?? ipFamily(local.address);
    const address = isWildcard(local.address) ? interfaceAddress(wantedFamily) : local.address;
    const host = this.#advertisedHost ?? address;
    // An IPv6 literal is bracketed; a host name has no colon.
    return { host: host.includes(":") ? `[${host}]` : host, port: local.port };
  }

  /**
   * Sends a request in a new client transaction to `target` (the caller's RFC 3263 resolution
   * of the next hop), after putting this stack's Via on top.
   *
   * @throws TransportError `TRANSPORT.NO_TRANSPORT` when no transport of `target.protocol`
   * listens; TypeError for an ACK (use {@link SipStack.sendAck}). A request that cannot be
   * delivered later reaches `user` as a 503 (transport error) or 408 (timeout).
   * @remarks RFC 3261 §8.1.1.7: "When the UAC creates a request, it MUST insert a Via into that
   * request. The protocol name and protocol version in the header field MUST be SIP and 2.0,
   * respectively. The Via header field value MUST contain a branch parameter." and "The branch
   * parameter value MUST be unique across space and time for all requests sent by the UA." So
   * a request object sent before gets a fresh Via (and branch) in place of the old one.
   */
  sendRequest(
    request: SipRequest,
    target: RequestTarget,
    user: ClientTransactionUser,
  ): InviteClientTransaction | NonInviteClientTransaction {
    this.#assertOpen();
    this.#putVia(request, target, true);
    return this.transactionLayer.sendRequest(request, this.transportLayer.requestFlow(target), user);
  }

  /**
   * Cancels an INVITE this stack sent: now if a provisional response has arrived, else as soon
   * as one does. `user` hears the CANCEL's own responses.
   *
   * @remarks RFC 3261 §9.1: "If no provisional response has been received, the CANCEL request
   * MUST NOT be sent; rather, the client MUST wait for the arrival of a provisional response
   * before sending the request."
   */
  cancel(invite: InviteClientTransaction, user: ClientTransactionUser = quietClientUser): CancelOutcome {
    this.#assertOpen();
    return this.transactionLayer.cancel(invite, user);
  }

  /**
   * Sends the ACK for a 2xx straight to the transport. Sending the same ACK object again (for a
   * retransmitted 2xx) sends it unchanged.
   *
   * @remarks RFC 3261 §17.1: "There is no client transaction for ACK. If the TU wishes to send
   * an ACK, it passes one directly to the transport layer for transmission." §8.1.1.7 makes the
   * ACK for a 2xx a request with its own branch: the exceptions to a unique branch "are CANCEL
   * and ACK for non-2xx responses." §13.2.2.4: "The UAC core MUST generate an ACK request for
   * each 2xx received from the transaction layer."
   */
  sendAck(ack: SipRequest, target: RequestTarget): Promise<void> {
    if (ack.method !== "ACK") return Promise.reject(new TypeError(`expected an ACK, got ${ack.method}`));
    return this.sendStateless(ack, target);
  }

  /**
   * Sends a message outside any transaction: a request (its Via added once, as for
   * {@link SipStack.sendAck}) to `target`, or a response where its top Via says, first back to
   * `origin` when given.
   */
  sendStateless(message: SipRequest, target: RequestTarget): Promise<void>;
  sendStateless(message: SipResponse, origin?: ReceivedFrom): Promise<void>;
  async sendStateless(message: SipRequest | SipResponse, to?: RequestTarget | ReceivedFrom): Promise<void> {
    this.#assertOpen();
    if (message.kind === "response") {
      return this.transportLayer.sendResponse(message, to as ReceivedFrom | undefined);
    }
    const target = to as RequestTarget;
    this.#putVia(message, target, false);
    return this.transportLayer.sendRequest(message, target);
  }

  /**
   * Passes a response to its server transaction. A 2xx to an INVITE is then retransmitted until
   * its ACK arrives or 64*T1 has passed (the delegate's `onUnacknowledged` hears of the latter).
   *
   * @returns false when the transaction discarded the response (e.g. a second final response).
   * @remarks RFC 3261 §13.3.1.4: "it is necessary to pass periodically the response directly to
   * the transport until the ACK arrives. The 2xx response is passed to the transport with an
   * interval that starts at T1 seconds and doubles for each retransmission until it reaches T2
   * seconds ... Response retransmissions cease when an ACK request for the response is
   * received. This is independent of whatever transport protocols are used to send the
   * response." and "If the server retransmits the 2xx response for 64*T1 seconds without
   * receiving an ACK, the dialog is confirmed, but the session SHOULD be terminated." RFC 6026
   * §8.7 keeps the INVITE server transaction in Accepted for those 64*T1, passing each 2xx the
   * TU gives it to the transport.
   */
  respond(transaction: ServerTransaction, response: SipResponse): boolean {
    const sent = transaction.respond(response);
    if (sent && transaction.kind === "invite-server" && response.status >= 200 && response.status < 300) {
      this.#retransmit2xx(transaction, response);
    }
    return sent;
  }

  /** Stops every transaction and timer and closes every transport; the stack cannot be reused. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending2xx.values()) this.#forget2xx(pending);
    this.#pending2xx.clear();
    this.transactionLayer.close();
    await this.transportLayer.close();
  }

  /**
   * @remarks RFC 3581 §3: "A client, compliant to this specification (clients include UACs and
   * proxies), MAY include an "rport" parameter in the top Via header field value of requests it
   * generates. This parameter MUST have no value". It is added over every transport: over UDP
   * it lets responses cross a NAT, and a stream response goes back over its connection anyway.
   */
  #putVia(request: SipRequest, target: RequestTarget, freshBranch: boolean): void {
    if (this.#stamped.has(request) && !freshBranch) return;
    const sentBy = this.sentBy(target.protocol, familyOfHost(target.host));
    const via: Via = {
      protocol: "SIP/2.0",
      transport: target.protocol.toUpperCase(),
      host: sentBy.host,
      port: sentBy.port,
      params: new Map<string, string | null>([
        ["branch", generateBranch()],
        ["rport", null],
      ]),
    };
    if (this.#stamped.has(request)) request.headers.replaceFirstValue("Via", formatVia(via));
    else request.headers.prepend("Via", formatVia(via));
    this.#stamped.add(request);
    this.#ownSentBy.add(sentByKey(via));
  }

  #receive(inbound: InboundMessage): void {
    if (this.#closed) return;
    const message = inbound.message;
    this.#receiving = inbound;
    try {
      if (message.kind === "response") this.#receiveResponse(message, inbound);
      else this.#receiveRequest(message, inbound);
    } finally {
      this.#receiving = undefined;
    }
  }

  /**
   * @remarks RFC 3261 §18.1.2: "When a response is received, the client transport examines the
   * top Via header field value. If the value of the "sent-by" parameter in that header field
   * value does not correspond to a value that the client transport is configured to insert into
   * requests, the response MUST be silently discarded."
   */
  #receiveResponse(response: SipResponse, inbound: InboundMessage): void {
    const top = response.headers.topVia();
    if (top === undefined || !this.#ownSentBy.has(sentByKey(top))) {
      this.#delegate.onDiscard?.({ reason: "response-not-ours", source: inbound.source });
      return;
    }
    this.transactionLayer.receiveResponse(response);
  }

  /**
   * A request without To, From, CSeq, Call-ID or Via cannot be matched to a transaction, so it
   * is answered without one.
   *
   * @remarks RFC 3261 §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum,
   * contain the following header fields: To, From, CSeq, Call-ID, Max-Forwards, and Via".
   * An ACK is only dropped: §17.1 "There is no client transaction for ACK", so no one would
   * receive an answer to it.
   */
  #receiveRequest(request: SipRequest, inbound: InboundMessage): void {
    const origin: ReceivedFrom = { source: inbound.source, local: inbound.local };
    const failure = rfc3261_8_1_1(request);
    if (failure !== null) {
      this.#delegate.onDiscard?.({ reason: "refused-statelessly", source: inbound.source });
      if (request.method === "ACK") return;
      const response = createResponse(request, failure.status, failure.reason);
      this.transportLayer.sendResponse(response, origin).catch((error: unknown) => {
        this.#delegate.onDiscard?.({ reason: "bad-request-not-sent", source: inbound.source, error });
      });
      return;
    }
    try {
      if (this.#answeredStatelessly(request, origin)) return;
      this.transactionLayer.receiveRequest(request, this.transportLayer.responseFlow(origin));
    } catch (error) {
      this.#delegate.onDiscard?.({ reason: "delegate-failed", source: inbound.source, error });
    }
  }

  /** Offers a new request to the delegate's `answerStatelessly`; true when it answered it. */
  #answeredStatelessly(request: SipRequest, origin: ReceivedFrom): boolean {
    const delegate = this.#delegate;
    if (delegate.answerStatelessly === undefined || request.method === "ACK" || request.method === "CANCEL")
      return false;
    let response: SipResponse | undefined;
    try {
      response = delegate.answerStatelessly(request, origin);
    } catch (error) {
      // The request goes on to the stateful path, where a failing delegate earns the caller a 500.
      this.#delegate.onDiscard?.({ reason: "delegate-failed", source: origin.source, error });
      return false;
    }
    if (response === undefined) return false;
    if (response.status < 200) throw new RangeError("a stateless answer must be a final response");
    // Asked first because it is cheap and usually declines; a retransmission of a request that has
    // a transaction, or one the request checks refuse, takes the stateful path after all.
    if (this.transactionLayer.findServerTransaction(request) !== undefined) return false;
    if (this.#checks !== false && checkRequest(request, this.#checks) !== null) return false;
    this.transportLayer.sendResponse(response, origin).catch((error: unknown) => {
      this.#delegate.onDiscard?.({ reason: "stateless-answer-not-sent", source: origin.source, error });
    });
    return true;
  }

  /** The transaction layer's user: this stack's core, forwarding to the delegate. */
  #transactionUser(): TransactionUser {
    return {
      onRequest: (request, transaction) => this.#onRequest(request, transaction),
      onAck: (ack) => this.#onAck(ack),
      onStrayResponse: (response) => {
        const inbound = this.#receiving;
        if (inbound)
          this.#delegate.onStrayResponse?.(response, { source: inbound.source, local: inbound.local });
      },
      onFailure: (failure, transaction) => this.#delegate.onTransactionFailure?.(failure, transaction),
    };
  }

  /**
   * @remarks RFC 3261 §9.2: "Regardless of the method of the original request, as long as the
   * CANCEL matched an existing transaction, the UAS answers the CANCEL request itself with a 200
   * (OK) response." (see `answerCancel`). §8.2: the checks a UAS runs before processing a request.
   */
  #onRequest(request: SipRequest, transaction: ServerTransaction): void {
    const inbound = this.#receiving;
    if (inbound === undefined) return;
    const origin: ReceivedFrom = { source: inbound.source, local: inbound.local };
    if (request.method === "CANCEL") {
      const cancelled = answerCancel(this.transactionLayer, transaction);
      if (cancelled !== undefined) this.#delegate.onCancel?.(request, cancelled);
      return;
    }
    if (this.#checks !== false) {
      const failure = checkRequest(request, this.#checks);
      if (failure !== null) {
        transaction.respond(
          createResponse(request, failure.status, failure.reason, { headers: failure.extraHeaders ?? [] }),
        );
        return;
      }
    }
    const failed = (error: unknown) => {
      this.#delegate.onDiscard?.({ reason: "delegate-failed", source: origin.source, error });
      if (!transaction.finalResponseSent && !transaction.terminated) {
        transaction.respond(createResponse(request, 500));
      }
    };
    try {
      const pending = this.#delegate.onRequest(request, transaction, origin);
      if (pending !== undefined) pending.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  #onAck(ack: SipRequest): void {
    const inbound = this.#receiving;
    const key = ackKey(ack);
    const pending = key === undefined ? undefined : this.#pending2xx.get(key);
    if (pending !== undefined) {
      this.#pending2xx.delete(key!);
      this.#forget2xx(pending);
      // The ACK of a 2xx has a branch of its own (RFC 3261 §17.1.1.3), so it reaches the core, not
      // the INVITE's transaction: tell the transaction, which no longer needs its request.
      if (pending.transaction instanceof InviteServerTransaction) pending.transaction.acknowledged();
    }
    if (inbound === undefined) return;
    try {
      this.#delegate.onAck?.(ack, { source: inbound.source, local: inbound.local });
    } catch (error) {
      this.#delegate.onDiscard?.({ reason: "delegate-failed", source: inbound.source, error });
    }
  }

  #retransmit2xx(transaction: ServerTransaction, response: SipResponse): void {
    const key = ackKey(response);
    if (key === undefined || this.#pending2xx.has(key)) return;
    const timers = this.transactionLayer.timers;
    const pending: Pending2xx = {
      transaction,
      response,
      interval: timers.t1,
      retransmit: undefined,
      giveUp: this.clock.setTimeout(() => {
        if (this.#pending2xx.get(key) !== pending) return;
        this.#pending2xx.delete(key);
        this.#forget2xx(pending);
        this.#delegate.onUnacknowledged?.(response, transaction);
      }, timers.timerL),
    };
    const tick = () => {
      pending.retransmit = undefined;
      if (!transaction.respond(response)) return;
      pending.interval = Math.min(pending.interval * 2, timers.t2);
      pending.retransmit = this.clock.setTimeout(tick, pending.interval);
    };
    pending.retransmit = this.clock.setTimeout(tick, pending.interval);
    this.#pending2xx.set(key, pending);
  }

  #forget2xx(pending: Pending2xx): void {
    if (pending.retransmit !== undefined) this.clock.clearTimeout(pending.retransmit);
    this.clock.clearTimeout(pending.giveUp);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the stack is closed");
  }
}

function isTransport(spec: ListenSpec | Transport): spec is Transport {
  return typeof (spec as Transport).listen === "function";
}

function createTransport(spec: ListenSpec, limits: MessageLimits & ConnectionLimits): Transport {
  switch (spec.protocol) {
    case "udp":
      return new UdpTransport({ address: spec.address, port: spec.port, ipv6Only: spec.ipv6Only });
    case "tcp":
      return createTcpTransport({ ...limits, address: spec.address, port: spec.port });
    case "tls":
      return createTlsTransport({ ...limits, address: spec.address, port: spec.port }, spec.tls);
    case "ws":
    case "wss": {
      const { protocol, ...options } = spec;
      return protocol === "ws"
        ? createWsTransport({ ...limits, ...options })
        : createWssTransport({ ...limits, ...options });
    }
  }
}

function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

/** The first non-internal interface address of a family, or the loopback address when there is none. */
function interfaceAddress(family: 4 | 6): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) {
      if (entry.internal || (entry.family === "IPv6") !== (family === 6)) continue;
      if (family === 6 && entry.scopeid !== 0) continue;
      return entry.address;
    }
  }
  return family === 6 ? "::1" : "127.0.0.1";
}

function familyOfHost(host: string): 4 | 6 | undefined {
  const ip = canonicalIp(host);
  return ip === undefined ? undefined : ipFamily(ip);
}

function sentByKey(via: Via): string {
  return `${via.transport}\u0000${via.host.toLowerCase()}:${via.port ?? ""}`;
}

/**
 * What ties an ACK to the 2xx it acknowledges: Call-ID, the CSeq number, and the tags.
 *
 * @remarks RFC 3261 §17.1.1.3 (for the ACK the UAC core builds for a 2xx, §13.2.2.4): "The
 * CSeq header field in the ACK MUST contain the same value for the sequence number as was
 * present in the original request", and the ACK is sent within the dialog the 2xx created,
 * identified by the Call-ID and both tags (§12).
 */
function ackKey(message: SipRequest | SipResponse): string | undefined {
  const headers = message.headers;
  const toTag = headers.to().params.get("tag");
  if (typeof toTag !== "string") return undefined;
  const fromTag = headers.from().params.get("tag") ?? "";
  return [headers.callId(), headers.cseq().seq, fromTag, toTag].join("\u0000");
}
