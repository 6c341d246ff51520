import type { ErrorCatalogue } from "../domain-error.ts";

export const ACCOUNT_ERRORS = {
  "ACCOUNT.NOT_FOUND": "No account has that id (or it belongs to someone else).",
  "ACCOUNT.EMAIL_TAKEN": "Another account already uses that email address.",
  "ACCOUNT.INVALID_EMAIL": "The email address is not one mail can be delivered to.",
  "ACCOUNT.INVALID_PHONE": "The phone number cannot be read as a number in the given country.",
  "ACCOUNT.INVALID_NAME": "The name is empty or longer than 200 characters.",
  "ACCOUNT.INVALID_COUNTRY": "The country is not an ISO 3166-1 alpha-2 code.",
  "ACCOUNT.INVALID_CURRENCY": "The currency is not an ISO 4217 code.",
} as const satisfies ErrorCatalogue<string>;

export type AccountErrorCode = keyof typeof ACCOUNT_ERRORS;
