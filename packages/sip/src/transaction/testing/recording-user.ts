import type { SipRequest, SipResponse } from "../../message/types.ts";
import type { ClientTransaction } from "../client-transaction.ts";
import type { ServerTransaction } from "../server-transaction.ts";
import type { TransactionTransport } from "../transaction-transport.ts";
import type { ClientTransactionUser, TransactionFailure, TransactionUser } from "../transaction-user.ts";

/**
 * A transaction user for tests that records everything it is told. `onRequestRespond` lets a
 * test answer new requests synchronously, as a TU that responds at once would.
 */
export class RecordingUser implements TransactionUser, ClientTransactionUser {
  readonly responses: SipResponse[] = [];
  readonly clientFailures: TransactionFailure[] = [];
  readonly serverFailures: TransactionFailure[] = [];
  readonly requests: { request: SipRequest; transaction: ServerTransaction }[] = [];
  readonly acks: { ack: SipRequest; transport: TransactionTransport }[] = [];
  readonly strays: SipResponse[] = [];
  readonly terminated: (ClientTransaction | ServerTransaction)[] = [];
  onRequestRespond: ((request: SipRequest, transaction: ServerTransaction) => void) | undefined = undefined;

  receiveResponse(response: SipResponse): void {
    this.responses.push(response);
  }

  onFailure(failure: TransactionFailure, transaction: ClientTransaction | ServerTransaction): void {
    if ("receiveResponse" in transaction) this.clientFailures.push(failure);
    else this.serverFailures.push(failure);
  }

  onTerminated(transaction: ClientTransaction | ServerTransaction): void {
    this.terminated.push(transaction);
  }

  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    this.requests.push({ request, transaction });
    this.onRequestRespond?.(request, transaction);
  }

  onAck(ack: SipRequest, transport: TransactionTransport): void {
    this.acks.push({ ack, transport });
  }

  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }

  statuses(): number[] {
    return this.responses.map((r) => r.status);
  }
}
