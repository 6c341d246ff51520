import type { ErrorCatalogue } from "../domain-error.ts";

export const NUMBER_ERRORS = {
  "NUMBER.INVALID": "The number is not a valid E.164 number.",
  "NUMBER.TAKEN": "The number already belongs to an account.",
  "NUMBER.NOT_FOUND": "No account owns that number.",
} as const satisfies ErrorCatalogue<string>;

export type NumberErrorCode = keyof typeof NUMBER_ERRORS;
