import type { SipRequest, SipResponse } from "../message/types.ts";
import { TimedTransaction } from "./timed-transaction.ts";
import type { TransactionContext } from "./transaction-context.ts";
import type { TransactionTransport } from "./transaction-transport.ts";
import type { ServerTransactionUser } from "./transaction-user.ts";

/**
 * What the INVITE and non-INVITE server transactions share.
 *
 * @remarks RFC 3261 §17.2: "The server transaction is responsible for the delivery of requests to
 * the TU and the reliable transmission of responses." §17.2.3: "When the TU passes a response to
 * the server transaction, it must pass it to the specific server transaction for which the
 * response is targeted."
 */
export abstract class ServerTransaction extends TimedTransaction {
  /** The request that created the transaction. */
  readonly request: SipRequest;
  /** The flow the request arrived on; responses go back through it (RFC 3261 §18.2.2). */
  readonly transport: TransactionTransport;
  /** Told about failures and termination; the transaction layer's core unless replaced. */
  user: ServerTransactionUser;
  /** The branch of the request's top Via, or undefined for an RFC 2543 request without one. */
  readonly branch: string | undefined;
  /** @internal The next live server transaction filed under the same key (same branch, or same Call-ID and CSeq number). */
  nextWithKey: ServerTransaction | undefined = undefined;
  /** The most recent response passed to the transport: retransmitted on request retransmissions. */
  protected lastResponse: SipResponse | undefined = undefined;

  constructor(
    request: SipRequest,
    transport: TransactionTransport,
    user: ServerTransactionUser,
    context: TransactionContext,
    branch: string | undefined,
  ) {
    super(context);
    this.request = request;
    this.transport = transport;
    this.user = user;
    this.branch = branch;
  }

  abstract get kind(): "invite-server" | "non-invite-server";
  abstract get state(): string;

  get method(): string {
    return this.request.method;
  }

  get terminated(): boolean {
    return this.state === "terminated";
  }

  /** The most recent response sent, if any (the final one once there is one). */
  get response(): SipResponse | undefined {
    return this.lastResponse;
  }

  /** True once a final response (200-699) went to the transport. */
  get finalResponseSent(): boolean {
    return this.lastResponse !== undefined && this.lastResponse.status >= 200;
  }

  /** Starts the timers the initial state needs; the transaction layer calls this once. */
  abstract start(): void;

  /** A request the transaction layer matched to this transaction (RFC 3261 §17.2.3). */
  abstract receiveRequest(request: SipRequest): void;

  /**
   * Passes a response from the TU to the transaction.
   *
   * @returns true when the response went to the transport, false when the state machine
   * discarded it (e.g. a second final response).
   */
  abstract respond(response: SipResponse): boolean;

  /** Stops every timer and forgets the transaction without telling the TU (layer shutdown). */
  dispose(): void {
    this.clearTimers();
    this.enterTerminated(false);
  }

  protected abstract enterTerminated(notify: boolean): void;

  /**
   * @remarks RFC 6026 §8.8 (replacing RFC 3261 §17.2.4): "If those should all fail, based on the
   * definition of failure in [4], the server transaction SHOULD inform the TU that a failure has
   * occurred, and MUST remain in the current state."
   */
  protected send(response: SipResponse): void {
    let pending: void | Promise<void>;
    try {
      pending = this.transport.send(response);
    } catch (error) {
      this.#transportFailed(error);
      return;
    }
    if (pending !== undefined) pending.then(undefined, (error: unknown) => this.#transportFailed(error));
  }

  #transportFailed(error: unknown): void {
    if (this.terminated) return;
    this.user.onFailure?.({ reason: "transport-error", error }, this);
  }

  protected finishTermination(notify: boolean): void {
    this.clearTimers();
    this.context.release(this);
    if (notify) this.user.onTerminated?.(this);
  }
}
