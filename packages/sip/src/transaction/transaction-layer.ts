import { type Clock, systemClock } from "../clock.ts";
import type { SipRequest, SipResponse } from "../message/types.ts";
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
  /**
   * Client transactions by branch. The branch string is the one the parser already holds, so
   * filing a transaction allocates no key; the few sharing a branch (an INVITE and its CANCEL)
   * are chained through `nextWithBranch`. Branches are compared exactly as written: §17.1.3 and
   * §17.2.3 ask for "the same value", and every element echoes a branch verbatim.
   */
  readonly #clients = new Map<string, ClientTransaction>();
  /** RFC 3261 server transactions by branch, chained through `nextWithKey`. */
  readonly #servers = new Map<string, ServerTransaction>();
  /** RFC 2543 server transactions by Call-ID and CSeq number, chained through `nextWithKey`. */
  readonly #legacy = new Map<string, ServerTransaction>();
  #clientCount = 0;
  #serverCount = 0;
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
    return this.#clientCount;
  }

  /** Live server transactions. */
  get serverTransactionCount(): number {
    return this.#serverCount;
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
    if (this.#findClient(branch, request.method) !== undefined) {
      throw new Error(`a ${request.method} client transaction with branch ${branch} is already live`);
    }
    const transaction =
      request.method === "INVITE"
        ? new InviteClientTransaction(request, transport, user, this.#context, branch)
        : new NonInviteClientTransaction(request, transport, user, this.#context, branch);
    transaction.nextWithBranch = this.#clients.get(branch);
    this.#clients.set(branch, transaction);
    this.#clientCount++;
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
    if (this.#findClient(invite.branch, "CANCEL") === undefined) this.#sendCancel(invite, user);
    return "sent";
  }

  /**
   * A response from the transport layer: passed to its client transaction, or else to the core's
   * `onStrayResponse` if it has one.
   *
   * @returns true when a client transaction took the response.
   * @throws SipParseError when the top Via or the CSeq of the response is malformed (the
   * transport layer drops such a response).
   * @remarks RFC 3261 §17.1.3: "A response matches a client transaction under two conditions: 1.
   * If the response has the same value of the branch parameter in the top Via header field as
   * the branch parameter in the top Via header field of the request that created the
   * transaction. 2. If the method parameter in the CSeq header field matches the method of the
   * request that created the transaction."
   */
  receiveResponse(response: SipResponse): boolean {
    const branch = response.headers.via()[0]?.params.get("branch");
    const method = response.headers.cseq().method;
    const transaction = typeof branch === "string" ? this.#findClient(branch, method) : undefined;
    if (transaction === undefined) {
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
   * @throws SipParseError when a header the matching rules read (Via, CSeq, and for RFC 2543
   * requests Call-ID, From, To) is malformed; the caller answers 400 statelessly.
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
    const transaction =
      request.method === "INVITE"
        ? new InviteServerTransaction(request, transport, this.user, this.#context, branch)
        : new NonInviteServerTransaction(request, transport, this.user, this.#context, branch);
    // Filed under the transaction's own copy of the branch: the parsed one may be a slice that
    // keeps the request's header section alive as long as the key (see `ownCopy`).
    const [table, key] = isRfc3261Branch(transaction.branch)
      ? [this.#servers, transaction.branch]
      : [this.#legacy, rfc2543Key(request)];
    transaction.nextWithKey = table.get(key);
    table.set(key, transaction);
    this.#serverCount++;
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
      for (let tx = this.#legacy.get(rfc2543Key(request)); tx !== undefined; tx = tx.nextWithKey) {
        if (matchesRfc2543(tx, request)) return tx;
      }
      return undefined;
    }
    const method = request.method === "ACK" ? "INVITE" : request.method;
    for (let tx = this.#servers.get(branch); tx !== undefined; tx = tx.nextWithKey) {
      if (tx.method === method && tx.hasSentBy(topVia)) return tx;
    }
    return undefined;
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
      for (let tx = this.#legacy.get(rfc2543Key(cancel)); tx !== undefined; tx = tx.nextWithKey) {
        if (matchesRfc2543(tx, cancel, true)) return tx;
      }
      return undefined;
    }
    for (let tx = this.#servers.get(branch); tx !== undefined; tx = tx.nextWithKey) {
      if (tx.method !== "CANCEL" && tx.method !== "ACK" && tx.hasSentBy(topVia)) return tx;
    }
    return undefined;
  }

  /** Stops every live transaction without telling anyone, e.g. when the stack shuts down. */
  close(): void {
    const all: (ClientTransaction | ServerTransaction)[] = [];
    for (const head of this.#clients.values()) {
      for (let tx: ClientTransaction | undefined = head; tx !== undefined; tx = tx.nextWithBranch)
        all.push(tx);
    }
    for (const table of [this.#servers, this.#legacy]) {
      for (const head of table.values()) {
        for (let tx: ServerTransaction | undefined = head; tx !== undefined; tx = tx.nextWithKey)
          all.push(tx);
      }
    }
    for (const tx of all) tx.dispose();
  }

  #findClient(branch: string, method: string): ClientTransaction | undefined {
    for (let tx = this.#clients.get(branch); tx !== undefined; tx = tx.nextWithBranch) {
      if (tx.method === method) return tx;
    }
    return undefined;
  }

  #sendCancel(invite: InviteClientTransaction, user: ClientTransactionUser): void {
    this.sendRequest(createCancel(invite.request), invite.transport, user);
  }

  #release(transaction: ClientTransaction | ServerTransaction): void {
    if (transaction instanceof ClientTransaction) {
      const head = this.#clients.get(transaction.branch);
      if (head === transaction) {
        if (transaction.nextWithBranch === undefined) this.#clients.delete(transaction.branch);
        else this.#clients.set(transaction.branch, transaction.nextWithBranch);
      } else {
        let previous = head;
        while (previous !== undefined && previous.nextWithBranch !== transaction)
          previous = previous.nextWithBranch;
        if (previous === undefined) return;
        previous.nextWithBranch = transaction.nextWithBranch;
      }
      transaction.nextWithBranch = undefined;
      this.#clientCount--;
      return;
    }
    const rfc3261 = isRfc3261Branch(transaction.branch);
    const table = rfc3261 ? this.#servers : this.#legacy;
    const key = rfc3261 ? transaction.branch! : rfc2543Key(transaction.request);
    const head = table.get(key);
    if (head === transaction) {
      if (transaction.nextWithKey === undefined) table.delete(key);
      else table.set(key, transaction.nextWithKey);
    } else {
      let previous = head;
      while (previous !== undefined && previous.nextWithKey !== transaction) previous = previous.nextWithKey;
      if (previous === undefined) return;
      previous.nextWithKey = transaction.nextWithKey;
    }
    transaction.nextWithKey = undefined;
    this.#serverCount--;
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
