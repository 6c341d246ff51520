import type { ErrorCatalogue } from "../domain-error.ts";

/** The payments domain's codes; each message says what the customer can do about it. */
export const PAYMENT_ERRORS = {
  "PAYMENT.NOT_CONFIGURED":
    "Payments are not configured on this server (no PayPal client id, secret, webhook id or API URL).",
  "PAYMENT.INVALID_AMOUNT":
    "The amount is not a positive decimal in whole units of the currency's smallest coin (10.00, not 10.001).",
  "PAYMENT.BELOW_MINIMUM": "The amount is below the smallest top-up this server accepts.",
  "PAYMENT.ABOVE_MAXIMUM": "The amount is above the largest single top-up this server accepts.",
  "PAYMENT.DAILY_LIMIT_REACHED":
    "With this top-up the account's top-ups of the day (UTC) would pass the daily limit.",
  "PAYMENT.CURRENCY_NOT_ACCEPTED": "Top-ups are accepted only in the currency of the account's balance.",
  "PAYMENT.NOT_FOUND": "No top-up of this account has that id.",
  "PAYMENT.NOT_APPROVED": "The payer has not approved the payment at PayPal (yet).",
  "PAYMENT.WRONG_STATE": "The top-up is not in a state that allows this (for example it was cancelled).",
  "PAYMENT.PROVIDER_UNAVAILABLE":
    "PayPal could not be reached or refused the request; nothing was charged or credited, try again.",
  "PAYMENT.WEBHOOK_REJECTED":
    "A webhook notification failed PayPal's signature verification or is malformed; it was ignored.",
  "PAYMENT.INVALID_REFUND": "The refund amount is not positive or exceeds what is left to refund.",
} as const satisfies ErrorCatalogue<string>;

export type PaymentErrorCode = keyof typeof PAYMENT_ERRORS;
