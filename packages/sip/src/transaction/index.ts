export { answerCancel } from "./answer-cancel.ts";
export { isRfc3261Branch } from "./branch.ts";
export { createCancel } from "./cancel-request.ts";
export { ClientTransaction } from "./client-transaction.ts";
export { InviteClientTransaction, type InviteClientTransactionState } from "./invite-client-transaction.ts";
export { InviteServerTransaction, type InviteServerTransactionState } from "./invite-server-transaction.ts";
export { createNon2xxAck } from "./non-2xx-ack.ts";
export {
  NonInviteClientTransaction,
  type NonInviteClientTransactionState,
} from "./non-invite-client-transaction.ts";
export {
  NonInviteServerTransaction,
  type NonInviteServerTransactionState,
} from "./non-invite-server-transaction.ts";
export { matchesRfc2543 } from "./rfc2543-match.ts";
export { sameUri } from "./same-uri.ts";
export { sameVia } from "./same-via.ts";
export { ServerTransaction } from "./server-transaction.ts";
export { createTimerValues, type TimerValues } from "./timer-values.ts";
export { type CancelOutcome, TransactionLayer, type TransactionLayerOptions } from "./transaction-layer.ts";
export type { SerializedResponse, TransactionTransport } from "./transaction-transport.ts";
export type {
  ClientTransactionUser,
  ServerTransactionUser,
  TransactionFailure,
  TransactionUser,
} from "./transaction-user.ts";
