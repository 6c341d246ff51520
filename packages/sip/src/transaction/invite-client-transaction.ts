import type { SipRequest, SipResponse } from "../message/types.ts";
import { ClientTransaction } from "./client-transaction.ts";
import { createNon2xxAck } from "./non-2xx-ack.ts";
import type { ClientTransactionUser } from "./transaction-user.ts";

/**
 * States of the INVITE client transaction: RFC 3261 Figure 5 with the Accepted state of
 * RFC 6026 §8.4 (Figure 4 there).
 *
 * ```
 *                                |INVITE from TU
 *              Timer A fires     |INVITE sent        Timer B fires
 *              Reset A,          V                   or Transport Err.
 *              INVITE sent +-----------+             inform TU
 *                +---------|           |---------------------------------+
 *                |         |  Calling  |                                 |
 *                +-------->|           |--------------+                  |
 *                          +-----------+ 2xx          |                  |
 *                             |  |       2xx to TU    |                  |
 *                             |  |1xx                 |                  |
 *     300-699 +---------------+  |1xx to TU           |                  |
 *    ACK sent |                  |                    |                  |
 * resp. to TU |  1xx             V                    |                  |
 *             |  1xx to TU +-----------+              |                  |
 *             |  +---------|           |              |                  |
 *             |  |         |Proceeding |------------->|                  |
 *             |  +-------->|           | 2xx          |                  |
 *             |            +-----------+ 2xx to TU    |                  |
 *             |       300-699    |  |                 |                  |
 *             |       ACK sent,  |  +-----------------|----------------->|
 *             |       resp. to TU|  64*T1 after a     |                  |
 *             |                  |  CANCEL: 408 to TU |                  |
 *             |  300-699         V                    V      2xx         |
 *             |  ACK sent  +-----------+        +-----------+ 2xx to TU  |
 *             |  +---------|           |        |           |-------+    |
 *             |  |         | Completed |        | Accepted  |       |    |
 *             |  +-------->|           |        |           |<------+    |
 *             |            +-----------+        +-----------+            |
 *             |              ^   |  Transport Err.    |                  |
 *             +--------------+   |  inform TU         | Timer M fires    |
 *                                | Timer D fires      | -                |
 *                                V                    V                  |
 *                          +-----------------------------+               |
 *                          |         Terminated          |<--------------+
 *                          +-----------------------------+
 * ```
 */
export type InviteClientTransactionState = "calling" | "proceeding" | "completed" | "accepted" | "terminated";

/**
 * The INVITE client transaction (RFC 3261 §17.1.1, updated by RFC 6026).
 *
 * @remarks RFC 3261 §17.1.1.1: "The INVITE transaction consists of a three-way handshake. The
 * client transaction sends an INVITE, the server transaction sends responses, and the client
 * transaction sends an ACK."
 */
export class InviteClientTransaction extends ClientTransaction {
  #state: InviteClientTransactionState = "calling";
  /** The ACK for the non-2xx final response, resent for each retransmission of it. */
  #ack: SipRequest | undefined = undefined;
  /** Set when the TU cancelled before any provisional response: the CANCEL waits for one. */
  #deferredCancel: ClientTransactionUser | undefined = undefined;

  get kind(): "invite-client" {
    return "invite-client";
  }

  get state(): InviteClientTransactionState {
    return this.#state;
  }

  /** The ACK this transaction built for a non-2xx final response, once it has one. */
  get ack(): SipRequest | undefined {
    return this.#ack;
  }

  /**
   * @remarks RFC 3261 §17.1.1.2: "If an unreliable transport is being used, the client
   * transaction MUST start timer A with a value of T1. If a reliable transport is being used,
   * the client transaction SHOULD NOT start timer A (Timer A controls request retransmissions).
   * For any transport, the client transaction MUST start timer B with a value of 64*T1 seconds
   * (Timer B controls transaction timeouts)."
   */
  start(): void {
    const timers = this.context.timers;
    this.setTimeoutTimer(timers.timerB);
    if (!this.transport.reliable) this.setRetransmitTimer(timers.t1);
    this.send(this.request);
  }

  /**
   * @remarks RFC 3261 §17.1.1.2: "When timer A fires 2*T1 seconds later, the request MUST be
   * retransmitted again (assuming the client transaction is still in this state). This process
   * MUST continue so that the request is retransmitted with intervals that double after each
   * transmission. These retransmissions SHOULD only be done while the client transaction is in
   * the "calling" state."
   */
  protected retransmitFired(): void {
    if (this.#state !== "calling") return;
    this.setRetransmitTimer(this.retransmitInterval * 2);
    this.send(this.request);
  }

  /**
   * Timer B in Calling, D in Completed, M in Accepted, and in Proceeding the wait after a CANCEL.
   *
   * @remarks RFC 3261 §17.1.1.2: "If the client transaction is still in the "Calling" state when
   * timer B fires, the client transaction SHOULD inform the TU that a timeout has occurred. The
   * client transaction MUST NOT generate an ACK." §9.1: "If there is no final response for the
   * original request in 64*T1 seconds (T1 is defined in Section 17.1.1.1), the client SHOULD
   * then consider the original transaction cancelled and SHOULD destroy the client transaction
   * handling the original request." RFC 6026 §8.4: "If timer M fires while the client
   * transaction is in the "Accepted" state, the client transaction MUST move to the "Terminated"
   * state."
   */
  protected timeoutFired(): void {
    switch (this.#state) {
      case "calling":
      case "proceeding":
        this.fail({ reason: "timeout" });
        return;
      case "completed":
      case "accepted":
        this.enterTerminated(true);
        return;
      case "terminated":
        return;
    }
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.#state) {
      case "calling":
      case "proceeding":
        if (status < 200) {
          this.#receiveProvisional(response);
        } else if (status < 300) {
          this.#accept(response);
        } else {
          this.#complete(response);
        }
        return;
      case "completed":
        // RFC 3261 §17.1.1.2: "Any retransmissions of the final response that are received while
        // in the "Completed" state MUST cause the ACK to be re-passed to the transport layer for
        // retransmission, but the newly received response MUST NOT be passed up to the TU."
        if (status >= 300 && this.#ack !== undefined) this.send(this.#ack);
        return;
      case "accepted":
        // RFC 6026 §8.4: "Any 2xx responses that match this client transaction and that are
        // received while in the "Accepted" state MUST be passed up to the TU. The client
        // transaction MUST NOT generate an ACK to the 2xx response."
        if (status >= 200 && status < 300) this.passUp(response);
        return;
      case "terminated":
        return;
    }
  }

  /**
   * Asks for a CANCEL once a provisional response has arrived; the transaction layer's
   * `cancel` is the public entry point.
   *
   * @returns "now" when the CANCEL can be sent at once, "deferred" when it will be sent on the first
   * provisional response, "too-late" when a final response already arrived.
   * @remarks RFC 3261 §9.1: "If no provisional response has been received, the CANCEL request
   * MUST NOT be sent; rather, the client MUST wait for the arrival of a provisional response
   * before sending the request. If the original request has generated a final response, the
   * CANCEL SHOULD NOT be sent, as it is an effective no-op, since CANCEL has no effect on
   * requests that have already generated a final response."
   */
  requestCancel(user: ClientTransactionUser): "now" | "deferred" | "too-late" {
    if (this.#state === "calling") {
      this.#deferredCancel = user;
      return "deferred";
    }
    if (this.#state !== "proceeding") return "too-late";
    this.setTimeoutTimer(this.context.timers.timerB);
    return "now";
  }

  /**
   * @remarks RFC 3261 §17.1.1.2: "If the client transaction receives a provisional response while
   * in the "Calling" state, it transitions to the "Proceeding" state. In the "Proceeding" state,
   * the client transaction SHOULD NOT retransmit the request any longer. Furthermore, the
   * provisional response MUST be passed to the TU. Any further provisional responses MUST be
   * passed up to the TU while in the "Proceeding" state."
   */
  #receiveProvisional(response: SipResponse): void {
    if (this.#state === "calling") {
      this.#state = "proceeding";
      // Timer B only guards the Calling state; a ringing INVITE may last as long as the TU wants.
      this.clearTimers();
    }
    this.passUp(response);
    const cancelUser = this.#deferredCancel;
    if (cancelUser !== undefined && this.#state === "proceeding") {
      this.#deferredCancel = undefined;
      this.setTimeoutTimer(this.context.timers.timerB);
      this.context.sendCancel(this, cancelUser);
    }
  }

  /**
   * @remarks RFC 6026 §8.4: "When a 2xx response is received while in either the "Calling" or
   * "Proceeding" states, the client transaction MUST transition to the "Accepted" state, and
   * Timer M MUST be started with a value of 64*T1 ... The 2xx response MUST be passed up to the
   * TU. The client transaction MUST NOT generate an ACK to the 2xx response -- its handling is
   * delegated to the TU."
   */
  #accept(response: SipResponse): void {
    this.#state = "accepted";
    this.#deferredCancel = undefined;
    this.clearTimers();
    this.setTimeoutTimer(this.context.timers.timerM);
    this.finalPassedUp = true;
    this.passUp(response);
    // Nothing in Accepted sends the request again: held for 64*T1, it would only weigh on memory.
    this.releaseRequest();
  }

  /**
   * @remarks RFC 3261 §17.1.1.2: "When in either the "Calling" or "Proceeding" states, reception
   * of a response with status code from 300-699 MUST cause the client transaction to transition
   * to "Completed". The client transaction MUST pass the received response up to the TU, and the
   * client transaction MUST generate an ACK request, even if the transport is reliable ... The
   * client transaction SHOULD start timer D when it enters the "Completed" state, with a value of
   * at least 32 seconds for unreliable transports, and a value of zero seconds for reliable
   * transports."
   */
  #complete(response: SipResponse): void {
    this.#state = "completed";
    this.#deferredCancel = undefined;
    this.clearTimers();
    this.#ack = createNon2xxAck(this.request, response);
    this.finalPassedUp = true;
    this.passUp(response);
    if (this.#state !== "completed") return;
    this.send(this.#ack);
    if (this.#state !== "completed") return;
    if (this.transport.reliable) this.enterTerminated(true);
    else this.setTimeoutTimer(this.context.timers.timerD);
  }

  /**
   * @remarks RFC 3261 §17.1.1.2: "The client transaction MUST be destroyed the instant it enters
   * the "Terminated" state."
   */
  protected enterTerminated(notify: boolean): void {
    if (this.#state === "terminated") return;
    this.#state = "terminated";
    this.#deferredCancel = undefined;
    this.finishTermination(notify);
  }
}
