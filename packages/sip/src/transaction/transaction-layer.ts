import { type Clock, systemClock } from "../clock.ts";
import type { SipRequest, SipResponse, Via } from "../message/types.ts";
import { isRfc3261Branch } from "./branch.ts";
import { createCancel } from "./cancel-request.ts";
import { ClientTransaction } from "./client-transaction.ts";
import { InviteClientTransaction } from "./invite-client-transaction.ts";
import { InviteServerTransaction } from "./invite-server-transaction.ts";
import { NonInviteClientTransaction } from "./non-invite-client-transaction.ts";
import { NonInviteServerTransaction } from "./non-invite-server-transaction.ts";
import { matchesRfc2543, rfc2543Key } from "./rfc2543-match.ts";
import type { ServerTransaction } from "./server-transaction.ts";
import { createTimerValues, type TimerValues } from "./timer-values.ts";
import type { TransactionContext } from "./transaction-context.ts";
import type { TransactionTransport } from "./transaction-transport.ts";
import type { ClientTransactionUser, TransactionUser } from "./transaction-user.ts";

export interface TransactionLayerOptions {
  /** The core above: receives new requests, ACKs for 2xx, stray responses, server failures. */
  readonly user: TransactionUser;
  /** Defaults to the real clock. */
  readonly clock?: Clock;
  /** T1, T2, T4 and any timer to override; the rest derive from them (RFC 3261 Table 4). */
  readonly timers?: Partial<TimerValues>;
}

/** What {@link TransactionLayer.cancel} did. */
export type CancelOutcome = "sent" | "deferred" | "too-late";

/**
 * The transaction layer of one SIP stack: creates client transactions, matches responses to
 * them (RFC 3261 §17.1.3) and requests to server transactions (§17.2.3), creates server
 * transactions for new requests and hands everything else to its {@link TransactionUser}.
 */
export class TransactionLayer {
  readonly clock: Clock;
  readonly timers: TimerValues;
  readonly user: TransactionUser;
  readonly #clients = new Map<string, ClientTransaction>();
  /** RFC 3261 server transactions, keyed by branch and sent-by (see {@link serverKey}). */
  readonly #servers = new Map<string, ServerTransaction>();
  /** RFC 2543 server transactions, by Call-ID and CSeq number. */
  readonly #legacy = new Map<string, ServerTransaction[]>();
  readonly #context: TransactionContext;

  constructor(options: TransactionLayerOptions) {
    this.clock = options.clock ?? systemClock;
    this.timers = createTimerValues(options.timers);
    this.user = options.user;
    this.#context = {
      clock: this.clock,
      timers: this.timers,
      user: this.user,
      release: (transaction) => this.#release(transaction),
      sendCancel: (invite, user) => this.#sendCancel(invite, user),
    };
  }

  /** Live client transactions. */
  get clientTransactionCount(): number {
    return this.#clients.size;
  }

  /** Live server transactions. */
  get serverTransactionCount(): number {
    let count = this.#servers.size;
    for (const list of this.#legacy.values()) count += list.length;
    return count;
  }

  /**
   * Starts a client transaction for `request` over `transport`, which is bound to the
   * destination the TU chose. The request's top Via must carry an RFC 3261 branch (see
   * `generateBranch` in `message/identifiers.ts`).
   *
   * @remarks RFC 3261 §17.1: "There is no client transaction for ACK. If the TU wishes to send an
   * ACK, it passes one directly to the transport layer for transmission."
   */
  sendRequest(
    request: SipRequest,
    transport: TransactionTransport,
    user: ClientTransactionUser,
  ): InviteClientTransaction | NonInviteClientTransaction {
    if (request.method === "ACK") throw new TypeError("an ACK has no client transaction; send it directly");
    const branch = rfc3261_8_1_1_7(request);
    const key = clientKey(branch, request.method);
    if (this.#clients.has(key)) throw new Error(`a client transaction with branch ${branch} is already live`);
    const transaction =
      request.method === "INVITE"
        ? new InviteClientTransaction(request, transport, user, this.#context, branch, key)
        : new NonInviteClientTransaction(request, transport, user, this.#context, branch, key);
    this.#clients.set(key, transaction);
    transaction.start();
    return transaction;
  }

  /**
   * Cancels a pending INVITE: sends a CANCEL in its own client transaction over the same
   * transport, now if a provisional response has arrived, else as soon as one does.
   *
   * @remarks RFC 3261 §9.1: "When the client decides to send the CANCEL, it creates a client
   * transaction for the CANCEL and passes it the CANCEL request along with the destination
   * address, port, and transport. The destination address, port, and transport for the CANCEL
   * MUST be identical to those used to send the original request."
   */
  cancel(invite: InviteClientTransaction, user: ClientTransactionUser): CancelOutcome {
    const outcome = invite.requestCancel(user);
    if (outcome !== "now") return outcome;
    if (!this.#clients.has(clientKey(invite.branch, "CANCEL"))) this.#sendCancel(invite, user);
    return "sent";
  }

  /**
   * A response from the transport layer: passed to its client transaction, or else to the core's
   * `onStrayResponse` if it has one.
   *
   * @returns true when a client transaction took the response.
   * @remarks RFC 3261 §17.1.3: "A response matches a client transaction under two conditions: 1.
   * If the response has the same value of the branch parameter in the top Via header field as
   * the branch parameter in the top Via header field of the request that created the
   * transaction. 2. If the method parameter in the CSeq header field matches the method of the
   * request that created the transaction."
   */
  receiveResponse(response: SipResponse): boolean {
    const branch = response.headers.via()[0]?.params.get("branch");
    const method = response.headers.cseq().method;
    const transaction = typeof branch === "string" ? this.#clients.get(clientKey(branch, method)) : undefined;
    if (transaction === undefined || transaction.method !== method) {
      this.user.onStrayResponse?.(response);
      return false;
    }
    transaction.receiveResponse(response);
    return true;
  }

  /**
   * A request from the transport layer. A retransmission (or the ACK of a non-2xx response) goes
   * to its server transaction; an ACK matching none goes to the core's `onAck`; any other
   * request gets a new server transaction and goes to the core's `onRequest`.
   *
   * @returns the server transaction that took the request, or undefined for an ACK passed to the
   * core.
   * @remarks RFC 3261 §18.2.1: "If a matching server transaction is found, the request is passed
   * to that transaction for processing. If no match is found, the request is passed to the core,
   * which may decide to construct a new server transaction for that request."
   */
  receiveRequest(request: SipRequest, transport: TransactionTransport): ServerTransaction | undefined {
    const existing = this.findServerTransaction(request);
    if (existing !== undefined) {
      existing.receiveRequest(request);
      return existing;
    }
    if (request.method === "ACK") {
      this.user.onAck(request, transport);
      return undefined;
    }
    const topVia = request.headers.via()[0];
    if (topVia === undefined) throw new TypeError("a request without a Via header field cannot be answered");
    const branch = topVia.params.get("branch") ?? undefined;
    const key = isRfc3261Branch(branch) ? this.#freeServerKey(request, branch, topVia) : rfc2543Key(request);
    const transaction =
      request.method === "INVITE"
        ? new InviteServerTransaction(request, transport, this.user, this.#context, branch, key)
        : new NonInviteServerTransaction(request, transport, this.user, this.#context, branch, key);
    if (isRfc3261Branch(branch)) {
      this.#servers.set(key, transaction);
    } else {
      const list = this.#legacy.get(key);
      if (list === undefined) this.#legacy.set(key, [transaction]);
      else list.push(transaction);
    }
    transaction.start();
    this.user.onRequest(request, transaction);
    return transaction;
  }

  /**
   * The server transaction a request belongs to, if any.
   *
   * @remarks RFC 3261 §17.2.3: "The request matches a transaction if: 1. the branch parameter in
   * the request is equal to the one in the top Via header field of the request that created the
   * transaction, and 2. the sent-by value in the top Via of the request is equal to the one in
   * the request that created the transaction, and 3. the method of the request matches the one
   * that created the transaction, except for ACK, where the method of the request that created
   * the transaction is INVITE." Without the magic cookie, the RFC 2543 rules apply
   * ({@link matchesRfc2543}).
   */
  findServerTransaction(request: SipRequest): ServerTransaction | undefined {
    const topVia = request.headers.via()[0];
    if (topVia === undefined) return undefined;
    const branch = topVia.params.get("branch");
    if (!isRfc3261Branch(branch)) {
      return this.#legacy
        .get(rfc2543Key(request))
        ?.find((transaction) => matchesRfc2543(transaction, request));
    }
    const base = serverKey(branch, topVia);
    if (request.method === "CANCEL") return this.#servers.get(`${base}\u0000CANCEL`);
    const method = request.method === "ACK" ? "INVITE" : request.method;
    const first = this.#servers.get(base);
    if (first !== undefined && first.method === method) return first;
    return this.#servers.get(`${base}\u0000${method}`);
  }

  /**
   * The server transaction a CANCEL asks to cancel, if it still exists.
   *
   * @remarks RFC 3261 §9.2: "The TU determines the transaction to be cancelled by taking the
   * CANCEL request, and then assuming that the request method is anything but CANCEL or ACK and
   * applying the transaction matching procedures of Section 17.2.3. The matching transaction is
   * the one to be cancelled."
   */
  findCancelTarget(cancel: SipRequest): ServerTransaction | undefined {
    if (cancel.method !== "CANCEL") throw new TypeError(`expected a CANCEL, got ${cancel.method}`);
    const topVia = cancel.headers.via()[0];
    if (topVia === undefined) return undefined;
    const branch = topVia.params.get("branch");
    if (!isRfc3261Branch(branch)) {
      return this.#legacy
        .get(rfc2543Key(cancel))
        ?.find((transaction) => matchesRfc2543(transaction, cancel, true));
    }
    const base = serverKey(branch, topVia);
    const first = this.#servers.get(base);
    if (first !== undefined && first.method !== "CANCEL") return first;
    return this.#servers.get(`${base}\u0000INVITE`);
  }

  /** Stops every live transaction without telling anyone, e.g. when the stack shuts down. */
  close(): void {
    for (const transaction of [...this.#clients.values()]) transaction.dispose();
    for (const transaction of [...this.#servers.values()]) transaction.dispose();
    for (const list of [...this.#legacy.values()]) for (const transaction of [...list]) transaction.dispose();
  }

  /**
   * Branch and sent-by identify a transaction of one client; a CANCEL shares its INVITE's branch
   * and gets a suffix. A second method reusing a live branch (a broken client) gets its own slot
   * so that rule 3 of §17.2.3 still tells them apart.
   */
  #freeServerKey(request: SipRequest, branch: string, topVia: Via): string {
    const base = serverKey(branch, topVia);
    if (request.method === "CANCEL") return `${base}\u0000CANCEL`;
    return this.#servers.has(base) ? `${base}\u0000${request.method}` : base;
  }

  #sendCancel(invite: InviteClientTransaction, user: ClientTransactionUser): void {
    this.sendRequest(createCancel(invite.request), invite.transport, user);
  }

  #release(transaction: ClientTransaction | ServerTransaction): void {
    const key = transaction.tableKey;
    if (transaction instanceof ClientTransaction) {
      if (this.#clients.get(key) === transaction) this.#clients.delete(key);
      return;
    }
    if (isRfc3261Branch(transaction.branch)) {
      if (this.#servers.get(key) === transaction) this.#servers.delete(key);
      return;
    }
    const list = this.#legacy.get(key);
    if (list === undefined) return;
    const index = list.indexOf(transaction);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#legacy.delete(key);
  }
}

/**
 * The branch of an outgoing request's top Via, which must carry the magic cookie.
 *
 * @remarks RFC 3261 §8.1.1.7: "The branch ID inserted by an element compliant with this
 * specification MUST always begin with the characters "z9hG4bK"."
 */
function rfc3261_8_1_1_7(request: SipRequest): string {
  const branch = request.headers.via()[0]?.params.get("branch");
  if (!isRfc3261Branch(branch)) {
    throw new TypeError("the top Via of a request sent through a client transaction needs a z9hG4bK branch");
  }
  return branch;
}

/** Branch values are tokens, compared case-insensitively (RFC 3261 §7.3.1). */
function clientKey(branch: string, method: string): string {
  const key = branch.toLowerCase();
  return method === "CANCEL" ? `${key}\u0000CANCEL` : key;
}

function serverKey(branch: string, topVia: Via): string {
  return `${branch.toLowerCase()}\u0000${topVia.host.toLowerCase()}:${topVia.port ?? ""}`;
}
