import { createResponse } from "../message/create-response.ts";
import type { SipMessage, SipRequest, SipResponse } from "../message/types.ts";
import { TimedTransaction } from "./timed-transaction.ts";
import type { TransactionContext } from "./transaction-context.ts";
import type { TransactionTransport } from "./transaction-transport.ts";
import type { ClientTransactionUser, TransactionFailure } from "./transaction-user.ts";

/**
 * What the INVITE and non-INVITE client transactions share: the request, the bound transport
 * and the way failures reach the TU.
 *
 * @remarks RFC 3261 §17.1: "The purpose of the client transaction is to receive a request from
 * the element in which the client is embedded (call this element the "Transaction User" or TU;
 * it can be a UA or a stateful proxy), and reliably deliver the request to a server transaction."
 */
export abstract class ClientTransaction extends TimedTransaction {
  readonly transport: TransactionTransport;
  user: ClientTransactionUser;
  /** The branch of the request's top Via. */
  readonly branch: string;
  /** @internal The next live client transaction with the same branch (an INVITE's CANCEL). */
  nextWithBranch: ClientTransaction | undefined = undefined;
  /** True once a final response (or a made-up 408/503) went to the TU. */
  protected finalPassedUp = false;
  /** The method of the request that created the transaction. */
  readonly method: string;
  #request: SipRequest | undefined;

  constructor(
    request: SipRequest,
    transport: TransactionTransport,
    user: ClientTransactionUser,
    context: TransactionContext,
    branch: string,
  ) {
    super(context);
    this.#request = request;
    this.method = request.method;
    this.transport = transport;
    this.user = user;
    this.branch = branch;
  }

  abstract get kind(): "invite-client" | "non-invite-client";
  abstract get state(): string;

  /**
   * The request as passed to the transport ("the original request"). An INVITE transaction lets
   * go of it once a 2xx has arrived (RFC 6026 Accepted): from then on it only absorbs 2xx
   * retransmissions for 64*T1, and the TU that sent the request keeps it if it needs it.
   *
   * @throws TypeError when read after the transaction let go of it.
   */
  get request(): SipRequest {
    const request = this.#request;
    if (request === undefined) {
      throw new TypeError(`a ${this.method} client transaction lets go of its request once it has a 2xx`);
    }
    return request;
  }

  /** Lets go of the request (see {@link request}). */
  protected releaseRequest(): void {
    this.#request = undefined;
  }

  get terminated(): boolean {
    return this.state === "terminated";
  }

  /** Sends the request and starts the timers; the transaction layer calls this once. */
  abstract start(): void;

  /** A response the transaction layer matched to this transaction (RFC 3261 §17.1.3). */
  abstract receiveResponse(response: SipResponse): void;

  /** Stops every timer and forgets the transaction without telling the TU (layer shutdown). */
  dispose(): void {
    this.clearTimers();
    this.enterTerminated(false);
  }

  protected abstract enterTerminated(notify: boolean): void;

  protected send(message: SipMessage): void {
    let pending: void | Promise<void>;
    try {
      pending = this.transport.send(message);
    } catch (error) {
      this.transportFailed(error);
      return;
    }
    if (pending !== undefined) pending.then(undefined, (error: unknown) => this.transportFailed(error));
  }

  protected passUp(response: SipResponse): void {
    this.user.receiveResponse(response, this);
  }

  /**
   * Reports a timeout or transport error, then the 408/503 the TU must treat as received unless a
   * final response already went up, then terminates.
   *
   * @remarks RFC 3261 §8.1.3.1: "If there is a transaction failure, the UAC ... MUST treat this
   * as if a 408 (Request Timeout) response had been received."
   */
  protected fail(failure: TransactionFailure): void {
    this.clearTimers();
    const needsResponse = !this.finalPassedUp;
    this.finalPassedUp = true;
    this.user.onFailure?.(failure, this);
    if (needsResponse) {
      const response =
        failure.reason === "timeout" ? createResponse(this.request, 408) : createResponse(this.request, 503);
      this.passUp(response);
    }
    this.enterTerminated(true);
  }

  private transportFailed(error: unknown): void {
    if (this.terminated) return;
    this.fail({ reason: "transport-error", error });
  }

  protected finishTermination(notify: boolean): void {
    this.clearTimers();
    this.context.release(this);
    if (notify) this.user.onTerminated?.(this);
  }
}
