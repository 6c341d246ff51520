/** Failures allowed before attempts slow down, per account (email) and per address. */
export const FREE_FAILURES = { email: 5, address: 20 } as const;
/** The longest wait: enough to make guessing slow, short enough that an attacker cannot lock a customer out for long. */
export const MAX_LOCK_SECONDS = 15 * 60;
/** A count left alone this long starts again from zero. */
export const FORGET_AFTER_SECONDS = 60 * 60;

/** Seconds to wait after `failures` failures in a row: 0 up to the free allowance, then 1, 2, 4 … capped. */
export function lockSeconds(failures: number, freeFailures: number): number {
  if (failures < freeFailures) return 0;
  return Math.min(2 ** (failures - freeFailures), MAX_LOCK_SECONDS);
}
