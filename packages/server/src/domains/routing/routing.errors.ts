import type { ErrorCatalogue } from "../domain-error.ts";

export const ROUTING_ERRORS = {
  "ROUTING.CARRIER_NOT_FOUND": "No carrier has that id.",
  "ROUTING.CARRIER_NAME_TAKEN": "Another carrier already has that name.",
  "ROUTING.INVALID_CARRIER": "A carrier field is out of range (details.field says which).",
  "ROUTING.INVALID_DECK":
    "A rate deck row is wrong (details.line and details.problem say where and what); nothing was imported.",
  "ROUTING.NO_ROUTE": "No enabled, reachable carrier serves the number.",
  "ROUTING.INVALID_NUMBER": "The dialled digits are not a number that can be called.",
} as const satisfies ErrorCatalogue<string>;

export type RoutingErrorCode = keyof typeof ROUTING_ERRORS;
