import type { Clock } from "../clock.ts";

interface Pending {
  due: number;
  callback: () => void;
}

/** A clock for tests that only moves when told to. */
export class ManualClock implements Clock {
  #now = 0;
  readonly #pending = new Set<Pending>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { due: this.#now + ms, callback };
    this.#pending.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as Pending);
  }

  /** Moves time forward, running each timer that falls due on the way at its due time. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: Pending | undefined;
      for (const timer of this.#pending)
        if (timer.due <= target && (!next || timer.due < next.due)) next = timer;
      if (next === undefined) break;
      this.#pending.delete(next);
      this.#now = next.due;
      next.callback();
    }
    this.#now = target;
  }
}
