import type { SipResponse } from "../message/types.ts";
import { ClientTransaction } from "./client-transaction.ts";

/**
 * States of the non-INVITE client transaction (RFC 3261 Figure 6).
 *
 * ```
 *                                    |Request from TU
 *                                    |send request
 *                Timer E             V
 *                send request  +-----------+
 *                    +---------|           |-------------------+
 *                    |         |  Trying   |  Timer F          |
 *                    +-------->|           |  or Transport Err.|
 *                              +-----------+  inform TU        |
 *                 200-699         |  |                         |
 *                 resp. to TU     |  |1xx                      |
 *                 +---------------+  |resp. to TU              |
 *                 |                  |                         |
 *                 |   Timer E        V       Timer F           |
 *                 |   send req +-----------+ or Transport Err. |
 *                 |  +---------|           | inform TU         |
 *                 |  |         |Proceeding |------------------>|
 *                 |  +-------->|           |-----+             |
 *                 |            +-----------+     |1xx          |
 *                 |              |      ^        |resp to TU   |
 *                 | 200-699      |      +--------+             |
 *                 | resp. to TU  |                             |
 *                 |              |                             |
 *                 |              V                             |
 *                 |            +-----------+                   |
 *                 |            |           |                   |
 *                 |            | Completed |                   |
 *                 |            |           |                   |
 *                 |            +-----------+                   |
 *                 |              ^   |                         |
 *                 |              |   | Timer K                 |
 *                 +--------------+   | -                       |
 *                                    |                         |
 *                                    V                         |
 *                              +-----------+                   |
 *                              |           |                   |
 *                              | Terminated|<------------------+
 *                              |           |
 *                              +-----------+
 * ```
 */
export type NonInviteClientTransactionState = "trying" | "proceeding" | "completed" | "terminated";

/**
 * The client transaction for every method but INVITE and ACK (RFC 3261 §17.1.2).
 *
 * @remarks RFC 3261 §17.1.2.1: "For unreliable transports, requests are retransmitted at an
 * interval which starts at T1 and doubles until it hits T2. If a provisional response is
 * received, retransmissions continue for unreliable transports, but at an interval of T2."
 */
export class NonInviteClientTransaction extends ClientTransaction {
  #state: NonInviteClientTransactionState = "trying";

  get kind(): "non-invite-client" {
    return "non-invite-client";
  }

  get state(): NonInviteClientTransactionState {
    return this.#state;
  }

  /**
   * @remarks RFC 3261 §17.1.2.2: "When entering this state, the client transaction SHOULD set
   * timer F to fire in 64*T1 seconds. The request MUST be passed to the transport layer for
   * transmission. If an unreliable transport is in use, the client transaction MUST set timer E
   * to fire in T1 seconds."
   */
  start(): void {
    const timers = this.context.timers;
    this.setTimeoutTimer(timers.timerF);
    if (!this.transport.reliable) this.setRetransmitTimer(timers.t1);
    this.send(this.request);
  }

  /**
   * @remarks RFC 3261 §17.1.2.2: "If timer E fires while still in this state, the timer is reset,
   * but this time with a value of MIN(2*T1, T2). When the timer fires again, it is reset to a
   * MIN(4*T1, T2)." / "If Timer E fires while in the "Proceeding" state, the request MUST be
   * passed to the transport layer for retransmission, and Timer E MUST be reset with a value of
   * T2 seconds."
   */
  protected retransmitFired(): void {
    const t2 = this.context.timers.t2;
    if (this.#state === "trying") {
      this.setRetransmitTimer(Math.min(this.retransmitInterval * 2, t2));
    } else if (this.#state === "proceeding") {
      this.setRetransmitTimer(t2);
    } else {
      return;
    }
    this.send(this.request);
  }

  /**
   * Timer F in Trying and Proceeding, Timer K in Completed.
   *
   * @remarks RFC 3261 §17.1.2.2: "If timer F fires while in the "Proceeding" state, the TU MUST
   * be informed of a timeout, and the client transaction MUST transition to the terminated
   * state." / "If Timer K fires while in this state, the client transaction MUST transition to
   * the "Terminated" state."
   */
  protected timeoutFired(): void {
    switch (this.#state) {
      case "trying":
      case "proceeding":
        this.fail({ reason: "timeout" });
        return;
      case "completed":
        this.enterTerminated(true);
        return;
      case "terminated":
        return;
    }
  }

  /**
   * @remarks RFC 3261 §17.1.2.2: "If a provisional response is received while in the "Trying"
   * state, the response MUST be passed to the TU, and then the client transaction SHOULD move to
   * the "Proceeding" state. If a final response (status codes 200-699) is received while in the
   * "Trying" state, the response MUST be passed to the TU, and the client transaction MUST
   * transition to the "Completed" state." A response in Completed is a retransmission and is
   * absorbed.
   */
  receiveResponse(response: SipResponse): void {
    if (this.#state !== "trying" && this.#state !== "proceeding") return;
    if (response.status < 200) {
      this.#state = "proceeding";
      this.passUp(response);
      return;
    }
    this.#complete(response);
  }

  /**
   * @remarks RFC 3261 §17.1.2.2: "Once the client transaction enters the "Completed" state, it
   * MUST set Timer K to fire in T4 seconds for unreliable transports, and zero seconds for
   * reliable transports."
   */
  #complete(response: SipResponse): void {
    this.#state = "completed";
    this.clearTimers();
    this.finalPassedUp = true;
    this.passUp(response);
    if (this.#state !== "completed") return;
    if (this.transport.reliable) this.enterTerminated(true);
    else this.setTimeoutTimer(this.context.timers.timerK);
  }

  /**
   * @remarks RFC 3261 §17.1.2.2: "Once the transaction is in the terminated state, it MUST be
   * destroyed immediately."
   */
  protected enterTerminated(notify: boolean): void {
    if (this.#state === "terminated") return;
    this.#state = "terminated";
    this.finishTermination(notify);
  }
}
