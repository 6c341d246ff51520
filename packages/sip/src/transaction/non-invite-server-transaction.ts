import type { SipRequest, SipResponse } from "../message/types.ts";
import { ServerTransaction } from "./server-transaction.ts";

/**
 * States of the non-INVITE server transaction (RFC 3261 Figure 8). A transport error informs the
 * TU and leaves the state unchanged (RFC 6026 §8.8).
 *
 * ```
 *                                   |Request received
 *                                   |pass to TU
 *                                   V
 *                             +-----------+
 *                             |           |
 *                             | Trying    |-------------+
 *                             |           |             |
 *                             +-----------+             |200-699 from TU
 *                                   |                   |send response
 *                                   |1xx from TU        |
 *                                   |send response      |
 *                                   |                   |
 *                Request            V      1xx from TU  |
 *                send response+-----------+send response|
 *                    +--------|           |--------+    |
 *                    |        | Proceeding|        |    |
 *                    +------->|           |<-------+    |
 *                             +-----------+             |
 *                                   |                   |
 *                                   |200-699 from TU    |
 *                                   |send response      |
 *                   Request         V                   |
 *                   send response+-----------+          |
 *                       +--------|           |          |
 *                       |        | Completed |<---------+
 *                       +------->|           |
 *                                +-----------+
 *                                      |
 *                                      |Timer J fires
 *                                      |-
 *                                      V
 *                                +-----------+
 *                                | Terminated|
 *                                +-----------+
 * ```
 */
export type NonInviteServerTransactionState = "trying" | "proceeding" | "completed" | "terminated";

/**
 * The server transaction for every method but INVITE and ACK (RFC 3261 §17.2.2).
 *
 * @remarks RFC 3261 §17.2.2: "The state machine is initialized in the "Trying" state and is
 * passed a request other than INVITE or ACK when initialized. This request is passed up to the
 * TU. Once in the "Trying" state, any further request retransmissions are discarded."
 */
export class NonInviteServerTransaction extends ServerTransaction {
  #state: NonInviteServerTransactionState = "trying";

  get kind(): "non-invite-server" {
    return "non-invite-server";
  }

  get state(): NonInviteServerTransactionState {
    return this.#state;
  }

  start(): void {}

  protected retransmitFired(): void {}

  /**
   * Timer J.
   *
   * @remarks RFC 3261 §17.2.2: "The server transaction remains in this state until Timer J fires,
   * at which point it MUST transition to the "Terminated" state."
   */
  protected timeoutFired(): void {
    if (this.#state === "completed") this.enterTerminated(true);
  }

  /**
   * @remarks RFC 3261 §17.2.2: "If a retransmission of the request is received while in the
   * "Proceeding" state, the most recently sent provisional response MUST be passed to the
   * transport layer for retransmission." / "While in the "Completed" state, the server
   * transaction MUST pass the final response to the transport layer for retransmission whenever
   * a retransmission of the request is received."
   */
  receiveRequest(_request: SipRequest): void {
    if (this.#state === "proceeding" || this.#state === "completed") this.resend();
  }

  /**
   * @remarks RFC 3261 §17.2.2: "While in the "Trying" state, if the TU passes a provisional
   * response to the server transaction, the server transaction MUST enter the "Proceeding" state.
   * The response MUST be passed to the transport layer for transmission." / "Any other final
   * responses passed by the TU to the server transaction MUST be discarded while in the
   * "Completed" state."
   */
  respond(response: SipResponse): boolean {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      throw new RangeError(`a response status must be 100-699, not ${status}`);
    }
    if (this.#state !== "trying" && this.#state !== "proceeding") return false;
    if (status < 200) {
      this.#state = "proceeding";
      this.lastResponse = response;
      this.send(response);
      return true;
    }
    this.#complete(response);
    return true;
  }

  /**
   * @remarks RFC 3261 §17.2.2: "When the server transaction enters the "Completed" state, it MUST
   * set Timer J to fire in 64*T1 seconds for unreliable transports, and zero seconds for reliable
   * transports." From here on, only the final response's bytes are needed (see `sendFinal`).
   */
  #complete(response: SipResponse): void {
    this.#state = "completed";
    this.sendFinal(response);
    this.releaseRequest();
    if (this.#state !== "completed") return;
    if (this.transport.reliable) this.enterTerminated(true);
    else this.setTimeoutTimer(this.context.timers.timerJ);
  }

  /**
   * @remarks RFC 3261 §17.2.2: "The server transaction MUST be destroyed the instant it enters the
   * "Terminated" state."
   */
  protected enterTerminated(notify: boolean): void {
    if (this.#state === "terminated") return;
    this.#state = "terminated";
    this.finishTermination(notify);
  }
}
