import type { ErrorCatalogue } from "../domain-error.ts";

export const REGISTRATION_ERRORS = {
  "REGISTRATION.INTERVAL_TOO_BRIEF":
    "The requested expiry is shorter than the registrar's minimum (details.minExpires).",
  "REGISTRATION.OUT_OF_ORDER":
    "A refresh with the same Call-ID did not carry a higher CSeq (RFC 3261 §10.3 step 7).",
  "REGISTRATION.TOO_MANY_CONTACTS": "The device would have more contacts than the per-device limit.",
  "REGISTRATION.BAD_WILDCARD":
    "A '*' contact needs Expires: 0 and no other contacts (RFC 3261 §10.3 step 6).",
} as const satisfies ErrorCatalogue<string>;

export type RegistrationErrorCode = keyof typeof REGISTRATION_ERRORS;
