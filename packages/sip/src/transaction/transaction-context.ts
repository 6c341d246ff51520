import type { Clock } from "../clock.ts";
import type { ClientTransaction } from "./client-transaction.ts";
import type { InviteClientTransaction } from "./invite-client-transaction.ts";
import type { ServerTransaction } from "./server-transaction.ts";
import type { TimerValues } from "./timer-values.ts";
import type { ClientTransactionUser, TransactionUser } from "./transaction-user.ts";

/**
 * What every transaction of one transaction layer shares: one object per layer, so that a live
 * transaction carries a single reference to it instead of one per service.
 */
export interface TransactionContext {
  readonly clock: Clock;
  readonly timers: TimerValues;
  /** The core; INVITE server transactions in the Accepted state pass ACKs to it. */
  readonly user: TransactionUser;
  /** Forget a transaction that reached Terminated. */
  release(transaction: ClientTransaction | ServerTransaction): void;
  /** Builds the CANCEL for an INVITE and starts its own client transaction (RFC 3261 §9.1). */
  sendCancel(invite: InviteClientTransaction, user: ClientTransactionUser): void;
}
