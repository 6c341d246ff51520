import { ownCopy } from "../message/own-copy.ts";
import { parseMessage } from "../message/parse-message.ts";
import type { SipRequest, SipResponse, Via } from "../message/types.ts";
import { isRfc3261Branch } from "./branch.ts";
import { TimedTransaction } from "./timed-transaction.ts";
import type { TransactionContext } from "./transaction-context.ts";
import type { SerializedResponse, TransactionTransport } from "./transaction-transport.ts";
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
  /** The flow the request arrived on; responses go back through it (RFC 3261 §18.2.2). */
  readonly transport: TransactionTransport;
  /** Told about failures and termination; the transaction layer's core unless replaced. */
  user: ServerTransactionUser;
  /** The method of the request that created the transaction. */
  readonly method: string;
  /** The branch of the request's top Via, or undefined for an RFC 2543 request without one. */
  readonly branch: string | undefined;
  /** @internal The next live server transaction filed under the same key (same branch, or same Call-ID and CSeq number). */
  nextWithKey: ServerTransaction | undefined = undefined;
  /**
   * The most recent response passed to the transport as a message: retransmitted on request
   * retransmissions. Undefined once the final response is kept as {@link #sentFinal} instead.
   */
  protected lastResponse: SipResponse | undefined = undefined;
  #request: SipRequest | undefined;
  /** Sent-by of the request's top Via, for rule 2 of RFC 3261 §17.2.3. */
  readonly #sentByHost: string;
  readonly #sentByPort: number | undefined;
  /** The status of the most recent response sent, 0 before the first. */
  #status = 0;
  /** The final response as the transport serialized it, when it can (see {@link sendFinal}). */
  #sentFinal: SerializedResponse | undefined = undefined;

  constructor(
    request: SipRequest,
    transport: TransactionTransport,
    user: ServerTransactionUser,
    context: TransactionContext,
    branch: string | undefined,
  ) {
    super(context);
    this.#request = request;
    this.transport = transport;
    this.user = user;
    this.method = request.method;
    this.branch = branch === undefined ? undefined : ownCopy(branch);
    const topVia = request.headers.via()[0];
    if (topVia === undefined) throw new TypeError("a request without a Via header field cannot be answered");
    this.#sentByHost = ownCopy(topVia.host);
    this.#sentByPort = topVia.port;
  }

  abstract get kind(): "invite-server" | "non-invite-server";
  abstract get state(): string;

  /**
   * The request that created the transaction.
   *
   * A non-INVITE transaction lets go of it once its final response is sent, when all it has left
   * to do is answer retransmissions (RFC 3261 §17.2.2, Completed): the TU was given the request
   * by `onRequest` and keeps it if it needs it later. An INVITE transaction keeps it until the ACK
   * of its 2xx (RFC 6026 Accepted: afterwards it only absorbs retransmissions until Timer L), and
   * to the end after any other final response: its TU may be told about it again long after
   * (`onUnacknowledged`, a CANCEL, Timer H). An RFC 2543 transaction keeps it throughout: it is
   * matched by its header fields (see {@link matchesRfc2543}).
   *
   * @throws TypeError when read after the transaction let go of it.
   */
  get request(): SipRequest {
    const request = this.#request;
    if (request === undefined) {
      throw new TypeError(
        `a ${this.method} server transaction has let go of its request (final response sent or 2xx acknowledged)`,
      );
    }
    return request;
  }

  get terminated(): boolean {
    return this.state === "terminated";
  }

  /**
   * The most recent response sent, if any (the final one once there is one). A final response
   * kept only as bytes is parsed again on each read: an equal message, not the same object.
   */
  get response(): SipResponse | undefined {
    if (this.lastResponse !== undefined || this.#sentFinal === undefined) return this.lastResponse;
    // Bytes the transport could not prepare (an unknown Via transport leaves them empty) or that
    // are too large to parse again are no response anyone can read: undefined, never a throw to a
    // caller such as answerCancel.
    try {
      const message = parseMessage(this.#sentFinal.bytes);
      return message.kind === "response" ? message : undefined;
    } catch {
      return undefined;
    }
  }

  /** True once a final response (200-699) went to the transport. */
  get finalResponseSent(): boolean {
    return this.#status >= 200;
  }

  /**
   * Whether a top Via has the sent-by of the request that created the transaction (host names
   * compared case-insensitively, RFC 3261 §19.1.4).
   *
   * @remarks RFC 3261 §17.2.3, rule 2: "the sent-by value in the top Via of the request is equal
   * to the one in the request that created the transaction".
   */
  hasSentBy(via: Via): boolean {
    if (via.port !== this.#sentByPort) return false;
    const host = this.#sentByHost;
    return host === via.host || host.toLowerCase() === via.host.toLowerCase();
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
    this.#status = response.status;
    let pending: void | Promise<void>;
    try {
      pending = this.transport.send(response);
    } catch (error) {
      this.#transportFailed(error);
      return;
    }
    this.#watch(pending);
  }

  /**
   * Sends the final response and keeps it for retransmission as the bytes the transport made of
   * it, when the transport can serialize, rather than as the parsed message. The peer receives
   * the same bytes either way.
   */
  protected sendFinal(response: SipResponse): void {
    const transport = this.transport;
    if (transport.serializeResponse === undefined) {
      this.lastResponse = response;
      this.send(response);
      return;
    }
    this.#status = response.status;
    this.lastResponse = undefined;
    let serialized: SerializedResponse;
    try {
      serialized = transport.serializeResponse(response);
    } catch (error) {
      this.lastResponse = response;
      this.#transportFailed(error);
      return;
    }
    this.#sentFinal = serialized;
    this.#sendSerialized(serialized);
  }

  /**
   * Lets go of the request (see {@link request}), unless the transaction is matched by the
   * request's header fields (RFC 2543, see {@link matchesRfc2543}) or filed under them.
   */
  protected releaseRequest(): void {
    if (isRfc3261Branch(this.branch)) this.#request = undefined;
  }

  /** Sends the most recent response again, from its bytes when it is kept as bytes. */
  protected resend(): void {
    if (this.#sentFinal !== undefined) this.#sendSerialized(this.#sentFinal);
    else if (this.lastResponse !== undefined) this.send(this.lastResponse);
  }

  #sendSerialized(serialized: SerializedResponse): void {
    let pending: void | Promise<void>;
    try {
      pending = serialized.send();
    } catch (error) {
      this.#transportFailed(error);
      return;
    }
    this.#watch(pending);
  }

  #watch(pending: void | Promise<void>): void {
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
