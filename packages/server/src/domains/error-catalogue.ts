import { ACCOUNT_ERRORS } from "./accounts/accounts.errors.ts";
import { API_KEY_ERRORS } from "./apikeys/api-keys.errors.ts";
import { CDR_ERRORS } from "./cdr/cdr.errors.ts";
import { DEVICE_ERRORS } from "./devices/devices.errors.ts";
import { IDENTITY_ERRORS } from "./identity/identity.errors.ts";
import { BILLING_ERRORS } from "./ledger/credit-control.errors.ts";
import { LEDGER_ERRORS } from "./ledger/ledger.errors.ts";
import { LEGAL_ERRORS } from "./legal/legal.errors.ts";
import { NUMBER_ERRORS } from "./numbers/numbers.errors.ts";
import { PAYMENT_ERRORS } from "./payments/payments.errors.ts";
import { PRIVACY_ERRORS } from "./privacy/privacy.errors.ts";
import { RATING_ERRORS } from "./rating/rating.errors.ts";
import { REGISTRATION_ERRORS } from "./registrations/registrations.errors.ts";
import { ROUTING_ERRORS } from "./routing/routing.errors.ts";

/** Every domain error code with its documentation. Edges map each one in their own table. */
export const ERROR_CATALOGUE = {
  ...ACCOUNT_ERRORS,
  ...DEVICE_ERRORS,
  ...NUMBER_ERRORS,
  ...REGISTRATION_ERRORS,
  ...ROUTING_ERRORS,
  ...RATING_ERRORS,
  ...LEDGER_ERRORS,
  ...BILLING_ERRORS,
  ...CDR_ERRORS,
  ...IDENTITY_ERRORS,
  ...API_KEY_ERRORS,
  ...PRIVACY_ERRORS,
  ...PAYMENT_ERRORS,
  ...LEGAL_ERRORS,
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
