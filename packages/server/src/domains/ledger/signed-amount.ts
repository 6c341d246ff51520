import { parseMicros } from "../money.ts";

/**
 * Reads a decimal amount that may be negative ("-5.25") as micro-units, digits past the sixth
 * decimal rounding away from zero. Undefined when it is not a plain decimal.
 */
export function parseSignedMicros(text: string): number | undefined {
  const trimmed = text.trim();
  const negative = trimmed.startsWith("-");
  const micros = parseMicros(negative || trimmed.startsWith("+") ? trimmed.slice(1) : trimmed);
  if (micros === undefined) return undefined;
  return negative ? -micros : micros;
}
