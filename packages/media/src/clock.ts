/**
 * Time and one-shot timers for the relay, in milliseconds.
 *
 * The relay never reads the time or sets a timer itself: tests hand it a manual clock and move
 * time by hand, so a 60-second inactivity timeout is checked in microseconds. The shape matches
 * the clock of `@zaqros/sip`, so the composition root can pass one clock to both.
 */
export interface Clock {
  /** Monotonic milliseconds; only differences between two readings are meaningful. */
  now(): number;
  /** Runs `callback` once, `ms` milliseconds from now. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a pending callback; harmless for one that already ran. */
  clearTimeout(handle: unknown): void;
}

/** The real clock: `performance.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
