import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../../domains/domain-error.ts";
import type { ErrorCode } from "../../domains/error-catalogue.ts";

/**
 * The one table that maps domain error codes to HTTP statuses. A test checks every code of every
 * domain's catalogue appears here.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  "ACCOUNT.NOT_FOUND": 404,
  "ACCOUNT.EMAIL_TAKEN": 409,
  "ACCOUNT.INVALID_EMAIL": 422,
  "ACCOUNT.INVALID_PHONE": 422,
  "ACCOUNT.INVALID_NAME": 422,
  "ACCOUNT.INVALID_COUNTRY": 422,
  "ACCOUNT.INVALID_CURRENCY": 422,
  "DEVICE.NOT_FOUND": 404,
  "DEVICE.LIMIT_REACHED": 409,
  "NUMBER.INVALID": 422,
  "NUMBER.TAKEN": 409,
  "NUMBER.NOT_FOUND": 404,
  "REGISTRATION.INTERVAL_TOO_BRIEF": 422,
  "REGISTRATION.OUT_OF_ORDER": 409,
  "REGISTRATION.TOO_MANY_CONTACTS": 409,
  "REGISTRATION.BAD_WILDCARD": 422,
  "ROUTING.CARRIER_NOT_FOUND": 404,
  "ROUTING.CARRIER_NAME_TAKEN": 409,
  "ROUTING.INVALID_CARRIER": 422,
  "ROUTING.INVALID_DECK": 422,
  "ROUTING.NO_ROUTE": 404,
  "ROUTING.INVALID_NUMBER": 422,
  "RATING.PLAN_NOT_FOUND": 404,
  "RATING.INVALID_PLAN": 422,
  "RATING.INVALID_DECK": 422,
  "RATING.CURRENCY_MISMATCH": 409,
  "RATING.NO_PLAN": 409,
  "RATING.NO_RATE": 404,
  "LEDGER.INVALID_AMOUNT": 422,
  "LEDGER.INVALID_ENTRY": 422,
  "LEDGER.CURRENCY_MISMATCH": 409,
  "LEDGER.ENTRY_NOT_FOUND": 404,
  "BILLING.INSUFFICIENT_FUNDS": 402,
  "BILLING.CURRENCY_MISMATCH": 409,
  "BILLING.CALL_NOT_FOUND": 404,
  "BILLING.CALL_EXISTS": 409,
  "CDR.INVALID_QUERY": 422,
  "CDR.INVALID_RECORD": 422,
  "IDENTITY.INVALID_PASSWORD": 422,
  "IDENTITY.COMMON_PASSWORD": 422,
  "IDENTITY.AGE_NOT_CONFIRMED": 422,
  "IDENTITY.TERMS_NOT_ACCEPTED": 422,
  "IDENTITY.INVALID_CREDENTIALS": 401,
  "IDENTITY.TOO_MANY_ATTEMPTS": 429,
  "IDENTITY.INVALID_TOKEN": 400,
  "IDENTITY.TWO_FACTOR_REQUIRED": 401,
  "IDENTITY.INVALID_TWO_FACTOR_CODE": 401,
  "IDENTITY.REAUTHENTICATION_REQUIRED": 403,
  "IDENTITY.NOT_SIGNED_IN": 401,
  "IDENTITY.SESSION_NOT_FOUND": 404,
  "IDENTITY.TWO_FACTOR_NOT_SET_UP": 409,
  "IDENTITY.TWO_FACTOR_ALREADY_ENABLED": 409,
  "APIKEY.NOT_FOUND": 404,
  "APIKEY.INVALID_NAME": 422,
  "APIKEY.INVALID_SCOPE": 422,
  "APIKEY.LIMIT_REACHED": 409,
  "APIKEY.RATE_LIMITED": 429,
  "LEGAL.INVALID_DOCUMENT": 422,
  "LEGAL.VERSION_EXISTS": 409,
  "LEGAL.NOTICE_TOO_SHORT": 422,
  "LEGAL.NOT_AFTER_CURRENT": 422,
  "LEGAL.SUMMARY_REQUIRED": 422,
  "PRIVACY.REQUEST_NOT_FOUND": 404,
  "PRIVACY.EXPORT_NOT_FOUND": 404,
  "PRIVACY.EXPORT_NOT_READY": 409,
  "PRIVACY.EXPORT_EXPIRED": 410,
  "PRIVACY.ERASURE_PENDING": 409,
  "PRIVACY.NO_PENDING_ERASURE": 409,
  "PRIVACY.UNKNOWN_PURPOSE": 404,
  "PRIVACY.NOT_WITHDRAWABLE": 409,
  "PRIVACY.NO_CONSENT": 409,
  "PRIVACY.INVALID_REQUEST": 422,
  "PRIVACY.WRONG_STATE": 409,
  "PRIVACY.ALREADY_EXTENDED": 409,
  "PAYMENT.NOT_CONFIGURED": 503,
  "PAYMENT.INVALID_AMOUNT": 422,
  "PAYMENT.BELOW_MINIMUM": 422,
  "PAYMENT.ABOVE_MAXIMUM": 422,
  "PAYMENT.DAILY_LIMIT_REACHED": 422,
  "PAYMENT.CURRENCY_NOT_ACCEPTED": 422,
  "PAYMENT.NOT_FOUND": 404,
  "PAYMENT.NOT_APPROVED": 409,
  "PAYMENT.WRONG_STATE": 409,
  "PAYMENT.PROVIDER_UNAVAILABLE": 502,
  "PAYMENT.WEBHOOK_REJECTED": 400,
  "PAYMENT.INVALID_REFUND": 422,
};

/** An RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  instance?: string;
}

export function sendProblem(reply: FastifyReply, problem: Problem) {
  return reply.status(problem.status).type("application/problem+json").send(problem);
}

/**
 * Turns every error into problem+json. Domain errors keep their code and message; validation and
 * parsing errors say what was wrong with the request; anything else is a 500 whose details stay in
 * the log (raw database or library messages never reach a client).
 */
export function problemErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof DomainError) {
    const status = (HTTP_STATUS_BY_CODE as Record<string, number>)[error.code] ?? 400;
    return sendProblem(reply, {
      type: `https://zaqros.org/problems/${error.code.toLowerCase()}`,
      title: error.message,
      status,
      code: error.code,
      instance: request.url,
    });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return sendProblem(reply, {
      type: "about:blank",
      title: status === 413 ? "Request body too large" : "Bad request",
      status,
      detail: error.message,
      ...(error.code ? { code: error.code } : {}),
    });
  }
  request.log.error({ err: error }, "request failed");
  return sendProblem(reply, {
    type: "about:blank",
    title: "Internal server error",
    status: 500,
    detail: `The server could not complete the request; quote request id ${request.id} to support.`,
  });
}
