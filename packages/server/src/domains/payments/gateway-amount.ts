import { MICROS_PER_UNIT, parseMicros } from "../money.ts";
import type { GatewayAmount } from "./payments.types.ts";

/** Currencies PayPal takes without decimals, whatever ISO 4217 says (PayPal's currency codes page). */
const PAYPAL_WHOLE_UNITS = new Set(["HUF", "JPY", "TWD"]);

/** How many decimals PayPal writes for the currency (2 for USD, 0 for JPY). */
export function minorDigits(currency: string): number {
  if (PAYPAL_WHOLE_UNITS.has(currency)) return 0;
  try {
    return (
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/** True when the micro-units are a whole number of the currency's smallest unit (cents). */
export function isWholeMinorUnits(micros: number, currency: string): boolean {
  return micros % 10 ** (6 - minorDigits(currency)) === 0;
}

/** Micro-units as PayPal's decimal string: 10_000_000 USD is "10.00". */
export function formatAmount(micros: number, currency: string): string {
  const digits = minorDigits(currency);
  const whole = Math.floor(micros / MICROS_PER_UNIT);
  if (digits === 0) return String(whole);
  const fraction = String(micros % MICROS_PER_UNIT)
    .padStart(6, "0")
    .slice(0, digits);
  return `${whole}.${fraction}`;
}

export function toGatewayAmount(micros: number, currency: string): GatewayAmount {
  return { currency_code: currency, value: formatAmount(micros, currency) };
}

/** PayPal's amount as micro-units, or undefined when it is not a plain decimal. */
export function microsOf(amount: GatewayAmount | undefined): number | undefined {
  if (!amount || !/^\d{1,12}(\.\d{1,6})?$/.test(amount.value)) return undefined;
  return parseMicros(amount.value);
}
