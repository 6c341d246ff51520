import type { ErrorCatalogue } from "../domain-error.ts";

export const PRIVACY_ERRORS = {
  "PRIVACY.REQUEST_NOT_FOUND": "No privacy request has that id.",
  "PRIVACY.EXPORT_NOT_FOUND": "No archive of this account has that id.",
  "PRIVACY.EXPORT_NOT_READY": "The archive is still being built; a mail says when it is ready.",
  "PRIVACY.EXPORT_EXPIRED": "The archive's download period ended; ask for a new one.",
  "PRIVACY.ERASURE_PENDING": "An erasure request is already in its cooling-off period.",
  "PRIVACY.NO_PENDING_ERASURE": "There is no erasure request in its cooling-off period to cancel.",
  "PRIVACY.UNKNOWN_PURPOSE": "No consent is asked for that purpose.",
  "PRIVACY.NOT_WITHDRAWABLE":
    "The Terms and Privacy Policy are accepted as part of the contract, not as a consent; closing the account (erasure) ends them.",
  "PRIVACY.NO_CONSENT": "There is no live consent for that purpose to withdraw.",
  "PRIVACY.INVALID_REQUEST":
    "The request is missing something or says too much (e.g. details over 4000 characters).",
  "PRIVACY.WRONG_STATE":
    "The request is not in a state that allows this step (e.g. extending a closed request).",
  "PRIVACY.ALREADY_EXTENDED":
    "The deadline of the request was already extended once, by the two months the law allows.",
} as const satisfies ErrorCatalogue<string>;

export type PrivacyErrorCode = keyof typeof PRIVACY_ERRORS;
