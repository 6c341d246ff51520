import { createResponse } from "../message/create-response.ts";
import { generateTag } from "../message/identifiers.ts";
import type { SipResponse } from "../message/types.ts";
import type { ServerTransaction } from "./server-transaction.ts";
import type { TransactionLayer } from "./transaction-layer.ts";

/**
 * Answers a CANCEL the way RFC 3261 §9.2 tells a UAS to: 481 when it matches no transaction;
 * otherwise 200 to the CANCEL and, when the cancelled request is an INVITE still without a final
 * response, 487 to that INVITE. Both carry the To tag the INVITE's responses already used.
 *
 * A TU that wants other behaviour uses {@link TransactionLayer.findCancelTarget} and answers
 * itself.
 *
 * @returns the cancelled server transaction, or undefined when the CANCEL matched none.
 * @remarks RFC 3261 §9.2: "If the UAS did not find a matching transaction for the CANCEL
 * according to the procedure above, it SHOULD respond to the CANCEL with a 481 (Call
 * Leg/Transaction Does Not Exist)." / "If the original request was an INVITE, the UAS SHOULD
 * immediately respond to the INVITE with a 487 (Request Terminated)." / "Regardless of the
 * method of the original request, as long as the CANCEL matched an existing transaction, the UAS
 * answers the CANCEL request itself with a 200 (OK) response. This response is constructed
 * following the procedures described in Section 8.2.6 noting that the To tag of the response to
 * the CANCEL and the To tag in the response to the original request SHOULD be the same."
 */
export function answerCancel(
  layer: TransactionLayer,
  cancelTransaction: ServerTransaction,
): ServerTransaction | undefined {
  const cancel = cancelTransaction.request;
  const target = layer.findCancelTarget(cancel);
  if (target === undefined) {
    cancelTransaction.respond(createResponse(cancel, 481));
    return undefined;
  }
  const toTag = toTagOf(target.response) ?? generateTag();
  cancelTransaction.respond(createResponse(cancel, 200, undefined, { toTag }));
  if (target.kind === "invite-server" && !target.finalResponseSent) {
    target.respond(createResponse(target.request, 487, undefined, { toTag }));
  }
  return target;
}

function toTagOf(response: SipResponse | undefined): string | undefined {
  return response?.headers.to().params.get("tag") ?? undefined;
}
