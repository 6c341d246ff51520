import { createResponse } from "../message/create-response.ts";
import type { SipRequest, SipResponse } from "../message/types.ts";
import { ServerTransaction } from "./server-transaction.ts";

/**
 * States of the INVITE server transaction: RFC 3261 Figure 7 with the Accepted state of
 * RFC 6026 §8.7 (Figure 5 there). A transport error in any state informs the TU and leaves the
 * state unchanged (RFC 6026 §8.8).
 *
 * ```
 *                                |INVITE
 *                                |pass INV to TU
 *             INVITE             V send 100 if TU won't in 200 ms
 *             send response +------------+
 *                 +---------|            |--------+ 101-199 from TU
 *                 |         | Proceeding |        | send response
 *                 +-------->|            |<-------+
 *                           +------------+
 *              300-699 from TU |       | 2xx from TU
 *              send response   |       | send response
 *                 +------------+       +----------------+
 *                 |                                     |
 *   INVITE        V         Timer G fires               V          INVITE: -
 *   send response +-----------+ send response     +-----------+    ACK: to TU
 *       +---------|           |---------+         |           |---------+ 2xx from TU:
 *       |         | Completed |         |         | Accepted  |         | send response
 *       +-------->|           |<--------+         |           |<--------+
 *                 +-----------+                   +-----------+
 *                   |       |                           |
 *               ACK |       | Timer H fires             | Timer L fires
 *               -   |       | inform TU                 | -
 *                   V       |                           |
 *           +-----------+   |                           |
 *           | Confirmed |   |                           |
 *           +-----------+   |                           |
 *                   |       |                           |
 *     Timer I fires |       |                           |
 *     -             V       V                           V
 *                 +-------------------------------------------+
 *                 |                Terminated                 |
 *                 +-------------------------------------------+
 * ```
 */
export type InviteServerTransactionState =
  | "proceeding"
  | "completed"
  | "confirmed"
  | "accepted"
  | "terminated";

/**
 * The INVITE server transaction (RFC 3261 §17.2.1, updated by RFC 6026).
 *
 * @remarks RFC 3261 §17: "In the case of an INVITE transaction, it absorbs the ACK request for
 * any final response excepting a 2xx response."
 */
export class InviteServerTransaction extends ServerTransaction {
  #state: InviteServerTransactionState = "proceeding";

  get kind(): "invite-server" {
    return "invite-server";
  }

  get state(): InviteServerTransactionState {
    return this.#state;
  }

  /**
   * @remarks RFC 3261 §17.2.1: "When a server transaction is constructed for a request, it enters
   * the "Proceeding" state. The server transaction MUST generate a 100 (Trying) response unless
   * it knows that the TU will generate a provisional or final response within 200 ms, in which
   * case it MAY generate a 100 (Trying) response."
   */
  start(): void {
    const delay = this.context.timers.tryingDelay;
    if (delay === 0) this.#sendTrying();
    else this.setRetransmitTimer(delay);
  }

  /**
   * The 100 Trying wait in Proceeding, Timer G in Completed.
   *
   * @remarks RFC 3261 §17.2.1: "If timer G fires, the response is passed to the transport layer
   * once more for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds. From then
   * on, when timer G fires, the response is passed to the transport again for transmission, and
   * timer G is reset with a value that doubles, unless that value exceeds T2, in which case it is
   * reset with the value of T2."
   */
  protected retransmitFired(): void {
    if (this.#state === "proceeding") {
      if (this.lastResponse === undefined) this.#sendTrying();
      return;
    }
    if (this.#state !== "completed") return;
    this.setRetransmitTimer(Math.min(this.retransmitInterval * 2, this.context.timers.t2));
    this.resend();
  }

  /**
   * Timer H in Completed, I in Confirmed, L in Accepted.
   *
   * @remarks RFC 3261 §17.2.1: "If timer H fires while in the "Completed" state, it implies that
   * the ACK was never received. In this case, the server transaction MUST transition to the
   * "Terminated" state, and MUST indicate to the TU that a transaction failure has occurred." /
   * "Once timer I fires, the server MUST transition to the "Terminated" state." RFC 6026 §8.7:
   * "When Timer L fires and the state machine is in the "Accepted" state, the machine MUST
   * transition to the "Terminated" state."
   */
  protected timeoutFired(): void {
    switch (this.#state) {
      case "completed":
        this.clearTimers();
        this.user.onFailure?.({ reason: "timeout" }, this);
        this.enterTerminated(true);
        return;
      case "confirmed":
      case "accepted":
        this.enterTerminated(true);
        return;
      default:
        return;
    }
  }

  receiveRequest(request: SipRequest): void {
    if (request.method === "ACK") {
      this.#receiveAck(request);
      return;
    }
    switch (this.#state) {
      case "proceeding":
        // RFC 3261 §17.2.1: "If a request retransmission is received while in the "Proceeding"
        // state, the most recent provisional response that was received from the TU MUST be
        // passed to the transport layer for retransmission."
        this.resend();
        return;
      case "completed":
        // RFC 3261 §17.2.1: "Furthermore, while in the "Completed" state, if a request
        // retransmission is received, the server SHOULD pass the response to the transport for
        // retransmission."
        this.resend();
        return;
      default:
        // RFC 6026 §8.7: "Any retransmissions of the INVITE received while in the "Accepted"
        // state MUST be absorbed"; Confirmed and Terminated have nothing left to say.
        return;
    }
  }

  /**
   * @remarks RFC 3261 §17.2.1: "If an ACK is received while the server transaction is in the
   * "Completed" state, the server transaction MUST transition to the "Confirmed" state. As Timer
   * G is ignored in this state, any retransmissions of the response will cease." / "When this
   * state is entered, timer I is set to fire in T4 seconds for unreliable transports, and zero
   * seconds for reliable transports." RFC 6026 §8.7: "Any ACKs received from the network while
   * in the "Accepted" state MUST be passed directly to the TU and not absorbed."
   */
  #receiveAck(ack: SipRequest): void {
    if (this.#state === "completed") {
      this.#state = "confirmed";
      this.clearTimers();
      if (this.transport.reliable) this.enterTerminated(true);
      else this.setTimeoutTimer(this.context.timers.timerI);
    } else if (this.#state === "accepted") {
      this.context.user.onAck(ack, this.transport);
      this.acknowledged();
    }
  }

  /**
   * The TU saw the ACK of this transaction's 2xx (which, with a branch of its own, reaches the
   * core rather than this transaction): what is left is absorbing INVITE retransmissions until
   * Timer L, which needs the branch and sent-by only, not the request held for 64*T1.
   */
  acknowledged(): void {
    if (this.#state === "accepted") this.releaseRequest();
  }

  respond(response: SipResponse): boolean {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      throw new RangeError(`a response status must be 100-699, not ${status}`);
    }
    if (this.#state === "accepted") {
      // RFC 6026 §8.7: "While in the "Accepted" state, if the TU passes a 2xx response, the
      // server transaction MUST pass the response to the transport layer for transmission."
      if (status < 200 || status >= 300) return false;
      this.send(response);
      return true;
    }
    if (this.#state !== "proceeding") return false;
    if (status < 200) {
      // RFC 3261 §17.2.1: "So long as the server transaction is in the "Proceeding" state, each
      // of these MUST be passed to the transport layer for transmission. They are not sent
      // reliably by the transaction layer (they are not retransmitted by it) and do not cause a
      // change in the state of the server transaction."
      this.clearRetransmitTimer();
      this.lastResponse = response;
      this.send(response);
    } else if (status < 300) {
      this.#accept(response);
    } else {
      this.#complete(response);
    }
    return true;
  }

  /**
   * @remarks RFC 6026 §8.5: "If, while in the "Proceeding" state, the TU passes a 2xx response to
   * the server transaction, the server transaction MUST pass this response to the transport layer
   * for transmission. It is not retransmitted by the server transaction; retransmissions of 2xx
   * responses are handled by the TU. The server transaction MUST then transition to the
   * "Accepted" state." §8.7: "When the INVITE server transaction enters the "Accepted" state,
   * Timer L MUST be set to fire in 64*T1 for all transports."
   */
  #accept(response: SipResponse): void {
    this.#state = "accepted";
    this.clearTimers();
    this.setTimeoutTimer(this.context.timers.timerL);
    this.sendFinal(response);
  }

  /**
   * @remarks RFC 3261 §17.2.1: "While in the "Proceeding" state, if the TU passes a response with
   * status code from 300 to 699 to the server transaction, the response MUST be passed to the
   * transport layer for transmission, and the state machine MUST enter the "Completed" state.
   * For unreliable transports, timer G is set to fire in T1 seconds, and is not set to fire for
   * reliable transports." / "When the "Completed" state is entered, timer H MUST be set to fire
   * in 64*T1 seconds for all transports."
   */
  #complete(response: SipResponse): void {
    this.#state = "completed";
    this.clearTimers();
    const timers = this.context.timers;
    this.setTimeoutTimer(timers.timerH);
    if (!this.transport.reliable) this.setRetransmitTimer(timers.t1);
    this.sendFinal(response);
  }

  /**
   * @remarks RFC 3261 §8.2.6.1 / §17.2.1: the 100 Trying is built per §8.2.6 "except that the
   * insertion of tags in the To header field of the response (when none was present in the
   * request) is downgraded from MAY to SHOULD NOT."
   */
  #sendTrying(): void {
    const trying = createResponse(this.request, 100);
    this.lastResponse = trying;
    this.send(trying);
  }

  /**
   * @remarks RFC 3261 §17.2.1: "Once the transaction is in the "Terminated" state, it MUST be
   * destroyed immediately."
   */
  protected enterTerminated(notify: boolean): void {
    if (this.#state === "terminated") return;
    this.#state = "terminated";
    this.finishTermination(notify);
  }
}
