import type { ErrorCode } from "../../domains/error-catalogue.ts";

/**
 * The one table that maps domain error codes to SIP final responses for callers. A code not in
 * the table is a server fault: 500.
 */
export const SIP_STATUS_BY_CODE: Partial<
  Readonly<Record<ErrorCode, readonly [status: number, reason: string]>>
> = {
  "ACCOUNT.NOT_FOUND": [403, "Account Unavailable"],
  "ROUTING.INVALID_NUMBER": [484, "Address Incomplete"],
  "ROUTING.NO_ROUTE": [404, "No Route To Destination"],
  "NUMBER.NOT_FOUND": [404, "Number Not Found"],
  "BILLING.INSUFFICIENT_FUNDS": [402, "Insufficient Funds"],
  "BILLING.CURRENCY_MISMATCH": [403, "Rate Plan Currency Mismatch"],
  "RATING.NO_PLAN": [403, "No Rate Plan"],
  "RATING.NO_RATE": [403, "Destination Not In Rate Plan"],
};

export function sipStatusFor(code: string): readonly [number, string] {
  return (
    (SIP_STATUS_BY_CODE as Record<string, readonly [number, string]>)[code] ?? [500, "Server Internal Error"]
  );
}
