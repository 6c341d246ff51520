import type { ErrorCatalogue } from "../domain-error.ts";

export const LEGAL_ERRORS = {
  "LEGAL.INVALID_DOCUMENT":
    "A legal document is `terms` or `privacy`, with a version label of 1 to 40 letters, digits, dots, dashes or underscores, and a text of up to 200,000 characters.",
  "LEGAL.VERSION_EXISTS":
    "That document already has a version with that label; versions never change once published.",
  "LEGAL.NOTICE_TOO_SHORT":
    "A material change takes effect no sooner than the configured notice period after it is published (ZAQROS_LEGAL_NOTICE_DAYS).",
  "LEGAL.NOT_AFTER_CURRENT":
    "A new version takes effect after the versions already published, and not in the past.",
  "LEGAL.SUMMARY_REQUIRED":
    "A material change says in a summary (up to 2,000 characters) what changes, for the email and the notice.",
} as const satisfies ErrorCatalogue<string>;

export type LegalErrorCode = keyof typeof LEGAL_ERRORS;
