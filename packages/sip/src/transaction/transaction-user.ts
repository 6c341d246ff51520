import type { SipRequest, SipResponse } from "../message/types.ts";
import type { ClientTransaction } from "./client-transaction.ts";
import type { ServerTransaction } from "./server-transaction.ts";
import type { TransactionTransport } from "./transaction-transport.ts";

/**
 * Why a transaction gave up: a timer ran out (B, F, H, or the §9.1 wait after a CANCEL), or the
 * transport refused a message.
 */
export type TransactionFailure =
  | { readonly reason: "timeout" }
  | { readonly reason: "transport-error"; readonly error: unknown };

/** What the element above a client transaction (a UAC core or a proxy core) is told. */
export interface ClientTransactionUser {
  /**
   * Every response the TU must act on: provisional responses, the final response, each 2xx
   * (retransmissions and forks) that reaches an INVITE transaction in the Accepted state, and the
   * 408 or 503 the transaction makes up when it fails before any final response arrived.
   *
   * @remarks RFC 3261 §8.1.3.1: "If there is a transaction failure, the UAC ... MUST treat this as
   * if a 408 (Request Timeout) response had been received" / "the transport layer ... SHOULD be
   * treated as if a 503 (Service Unavailable) status code had been received." A response made up
   * this way reaches `receiveResponse` right after {@link ClientTransactionUser.onFailure}.
   */
  receiveResponse(response: SipResponse, transaction: ClientTransaction): void;
  /**
   * A timeout or transport error, before the made-up 408/503 (if a final response had not been
   * passed up yet).
   *
   * @remarks RFC 3261 §17.1.4: "The client transaction SHOULD inform the TU that a transport
   * failure has occurred, and the client transaction SHOULD transition directly to the
   * "Terminated" state."
   */
  onFailure?(failure: TransactionFailure, transaction: ClientTransaction): void;
  /** The transaction reached Terminated and was forgotten by the transaction layer. */
  onTerminated?(transaction: ClientTransaction): void;
}

/** What the element above a server transaction is told about that transaction. */
export interface ServerTransactionUser {
  /**
   * Timer H fired without an ACK, or the transport could not send a response.
   *
   * @remarks RFC 3261 §17.2.1: "If timer H fires while in the "Completed" state, it implies that
   * the ACK was never received. In this case, the server transaction MUST transition to the
   * "Terminated" state, and MUST indicate to the TU that a transaction failure has occurred."
   */
  onFailure?(failure: TransactionFailure, transaction: ServerTransaction): void;
  /** The transaction reached Terminated and was forgotten by the transaction layer. */
  onTerminated?(transaction: ServerTransaction): void;
}

/**
 * The core above the transaction layer (a UA core or a stateful proxy core): the single
 * delegate a {@link TransactionLayer} reports to.
 */
export interface TransactionUser extends ServerTransactionUser {
  /**
   * A request that matched no transaction (other than ACK). The layer has already created its
   * server transaction; the core answers through `transaction.respond(...)`.
   *
   * @remarks RFC 3261 §18.2.1: "If no match is found, the request is passed to the core, which
   * may decide to construct a new server transaction for that request."
   */
  onRequest(request: SipRequest, transaction: ServerTransaction): void;
  /**
   * An ACK the transaction layer does not absorb: the ACK for a 2xx (it matches no transaction,
   * or matches an INVITE server transaction in the Accepted state), or a stray ACK.
   *
   * @remarks RFC 3261 §18.2.1: "Note that when a UAS core sends a 2xx response to INVITE, the
   * server transaction is destroyed. This means that when the ACK arrives, there will be no
   * matching server transaction, and based on this rule, the ACK is passed to the UAS core,
   * where it is processed." RFC 6026 §8.7 keeps the transaction alive in the Accepted state
   * instead, and: "Any ACKs received from the network while in the "Accepted" state MUST be
   * passed directly to the TU and not absorbed."
   */
  onAck(ack: SipRequest, transport: TransactionTransport): void;
  /**
   * A response that matched no client transaction. Optional: without it such responses are
   * dropped.
   *
   * @remarks RFC 6026 §7.2: "Any response received that does not match an existing client
   * transaction state machine is simply dropped." Only a stateless proxy core forwards them.
   */
  onStrayResponse?(response: SipResponse): void;
}
