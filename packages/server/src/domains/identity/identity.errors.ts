import type { ErrorCatalogue } from "../domain-error.ts";

export const IDENTITY_ERRORS = {
  "IDENTITY.INVALID_PASSWORD": "The password is shorter than 8 or longer than 128 characters.",
  "IDENTITY.COMMON_PASSWORD": "The password is on the list of commonly used passwords.",
  "IDENTITY.AGE_NOT_CONFIRMED": "The person did not confirm being 16 or older.",
  "IDENTITY.TERMS_NOT_ACCEPTED": "The current Terms or Privacy Policy version was not accepted.",
  "IDENTITY.INVALID_CREDENTIALS": "The email address or password is wrong (which one is never said).",
  "IDENTITY.TOO_MANY_ATTEMPTS": "Too many failed sign-ins from this account or address; try again shortly.",
  "IDENTITY.INVALID_TOKEN": "The link is unknown, already used or expired.",
  "IDENTITY.TWO_FACTOR_REQUIRED": "The account uses two-factor sign-in and no code was given.",
  "IDENTITY.INVALID_TWO_FACTOR_CODE": "The two-factor or recovery code is wrong or already used.",
  "IDENTITY.REAUTHENTICATION_REQUIRED": "The password must be given again before this change.",
  "IDENTITY.NOT_SIGNED_IN": "No valid session: sign in first.",
  "IDENTITY.SESSION_NOT_FOUND": "No session of this account has that id.",
  "IDENTITY.TWO_FACTOR_NOT_SET_UP": "Two-factor sign-in has not been set up.",
  "IDENTITY.TWO_FACTOR_ALREADY_ENABLED": "Two-factor sign-in is already on.",
} as const satisfies ErrorCatalogue<string>;

export type IdentityErrorCode = keyof typeof IDENTITY_ERRORS;
