import type { ErrorCatalogue } from "../domain-error.ts";

export const CDR_ERRORS = {
  "CDR.INVALID_QUERY": "The date range, limit or cursor of a call record query is not acceptable.",
  "CDR.INVALID_RECORD": "A call record to be written is inconsistent (details.field says what).",
} as const satisfies ErrorCatalogue<string>;

export type CdrErrorCode = keyof typeof CDR_ERRORS;
