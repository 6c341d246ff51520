import type { ErrorCatalogue } from "../domain-error.ts";

export const RATING_ERRORS = {
  "RATING.PLAN_NOT_FOUND": "No rate plan has that name or id.",
  "RATING.INVALID_PLAN": "The plan name or a plan price is not acceptable (details.field says which).",
  "RATING.INVALID_DECK":
    "A retail rate deck row is wrong (details.line and details.problem say where and what); nothing was imported.",
  "RATING.CURRENCY_MISMATCH": "The plan's currency differs from the account's or the one asked for.",
  "RATING.NO_PLAN": "The account is on no rate plan, so its calls cannot be priced.",
  "RATING.NO_RATE": "The account's rate plan has no price for the number at the call's start time.",
} as const satisfies ErrorCatalogue<string>;

export type RatingErrorCode = keyof typeof RATING_ERRORS;
