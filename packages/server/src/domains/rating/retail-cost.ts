import type { Tariff } from "./rating.types.ts";

const SECONDS_PER_MINUTE = 60;

/** ceil(a * b / divisor) for non-negative integers, exact even past 2^53. */
function mulDivCeil(a: number, b: number, divisor: number): number {
  const product = a * b;
  if (Number.isSafeInteger(product)) {
    const remainder = product % divisor;
    return (product - remainder) / divisor + (remainder > 0 ? 1 : 0);
  }
  const big = BigInt(a) * BigInt(b);
  const d = BigInt(divisor);
  return Number((big + d - 1n) / d);
}

/**
 * The seconds a call lasting `durationSeconds` (whole seconds, after answer) is billed for: none
 * when it lasted nothing, else the initial increment and then whole subsequent increments.
 */
export function billedSeconds(tariff: Tariff, durationSeconds: number): number {
  if (durationSeconds <= 0) return 0;
  const initial = tariff.initialIncrement;
  if (durationSeconds <= initial) return initial;
  const step = tariff.subsequentIncrement;
  return initial + Math.ceil((durationSeconds - initial) / step) * step;
}

/**
 * What `billed` seconds cost in micro-units: the connect fee plus the per-minute price for the
 * billed time rounded up to the micro-unit, and never less than the minimum charge. Nothing
 * billed costs nothing: connect fee and minimum charge apply only to calls that were talked on.
 */
export function costOfBilledSeconds(tariff: Tariff, billed: number): number {
  if (billed <= 0) return 0;
  const time = mulDivCeil(billed, tariff.pricePerMinute, SECONDS_PER_MINUTE);
  return Math.max(tariff.connectFee + time, tariff.minimumCharge);
}

/** Billed seconds and cost of a call that lasted `durationSeconds` after answer. */
export function chargeFor(tariff: Tariff, durationSeconds: number): { billedSeconds: number; cost: number } {
  const billed = billedSeconds(tariff, durationSeconds);
  return { billedSeconds: billed, cost: costOfBilledSeconds(tariff, billed) };
}

/**
 * The longest duration whose cost stays within `credit` micro-units: 0 when the first increment
 * is unaffordable, Infinity when the time itself is free. Always a whole number of increments,
 * since paying for part of an increment buys all of it.
 */
export function maxAffordableSeconds(tariff: Tariff, credit: number): number {
  const initial = tariff.initialIncrement;
  if (credit < costOfBilledSeconds(tariff, initial)) return 0;
  if (tariff.pricePerMinute === 0) return Number.POSITIVE_INFINITY;
  // ceil(x * price / 60) <= budget  <=>  x <= floor(60 * budget / price), for a whole budget.
  const budget = BigInt(credit - tariff.connectFee);
  const longest = (budget * BigInt(SECONDS_PER_MINUTE)) / BigInt(tariff.pricePerMinute);
  const steps = (longest - BigInt(initial)) / BigInt(tariff.subsequentIncrement);
  return Number(BigInt(initial) + steps * BigInt(tariff.subsequentIncrement));
}
