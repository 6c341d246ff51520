import { ACCOUNT_ERRORS } from "./accounts/accounts.errors.ts";
import { DEVICE_ERRORS } from "./devices/devices.errors.ts";
import { NUMBER_ERRORS } from "./numbers/numbers.errors.ts";
import { REGISTRATION_ERRORS } from "./registrations/registrations.errors.ts";
import { ROUTING_ERRORS } from "./routing/routing.errors.ts";

/** Every domain error code with its documentation. Edges map each one in their own table. */
export const ERROR_CATALOGUE = {
  ...ACCOUNT_ERRORS,
  ...DEVICE_ERRORS,
  ...NUMBER_ERRORS,
  ...REGISTRATION_ERRORS,
  ...ROUTING_ERRORS,
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
