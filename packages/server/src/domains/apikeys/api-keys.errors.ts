import type { ErrorCatalogue } from "../domain-error.ts";

export const API_KEY_ERRORS = {
  "APIKEY.NOT_FOUND": "No API key has that id (or it belongs to someone else).",
  "APIKEY.INVALID_NAME": "An API key's name is 1 to 100 printable characters.",
  "APIKEY.INVALID_SCOPE": "An API key's scope is read or read-write.",
  "APIKEY.RATE_LIMITED": "The key made more requests than its rate limit allows; retry after the time given.",
  "APIKEY.LIMIT_REACHED": "The account already has as many active API keys as it may have.",
} as const satisfies ErrorCatalogue<string>;

export type ApiKeyErrorCode = keyof typeof API_KEY_ERRORS;
