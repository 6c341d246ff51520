/** Micro-units per currency unit: money is integer micro-units everywhere (1.00 = 1,000,000). */
export const MICROS_PER_UNIT = 1_000_000;

const DECIMAL = /^(\d{1,9})(?:\.(\d+))?$/;

/**
 * Reads a non-negative decimal string ("0.0123") as micro-units without floating point.
 * Digits past the sixth decimal round up: a cost is never understated.
 * Returns undefined when the text is not a plain decimal number.
 */
export function parseMicros(text: string): number | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const whole = Number(match[1]);
  const fraction = match[2] ?? "";
  const kept = Number(fraction.slice(0, 6).padEnd(6, "0"));
  const roundUp = /[1-9]/.test(fraction.slice(6)) ? 1 : 0;
  return whole * MICROS_PER_UNIT + kept + roundUp;
}

/** Formats micro-units as a decimal string with six places ("0.012300"). */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / MICROS_PER_UNIT)}.${String(abs % MICROS_PER_UNIT).padStart(6, "0")}`;
}
