/**
 * The clock every timer-driven layer of `@zaqros/sip` takes as a dependency.
 *
 * Transactions, dialogs and transports never call `setTimeout` or read the time themselves:
 * they are handed a {@link Clock}. Production code passes {@link systemClock}; tests pass a
 * {@link FakeClock} and move time forward by hand, so a 32-second timeout runs in microseconds
 * and every retransmission instant can be asserted exactly.
 */

declare const timerHandleBrand: unique symbol;

/** An opaque handle for a scheduled callback, only meaningful to the clock that returned it. */
export interface TimerHandle {
  readonly [timerHandleBrand]: true;
}

/** Time and one-shot timers, in milliseconds. */
export interface Clock {
  /** Monotonic milliseconds; only differences between two readings are meaningful. */
  now(): number;
  /** Runs `callback` once, `ms` milliseconds from now (0 or less: as soon as possible). */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a pending callback; harmless for a handle that already fired or was cleared. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
};

interface FakeTimer {
  due: number;
  /** Insertion order, so timers due at the same instant fire in the order they were set. */
  seq: number;
  callback: (() => void) | undefined;
}

/**
 * A clock that only moves when told to. Timers fire in order of due time (then of creation),
 * each one seeing `now()` equal to its own due time, including timers set by other timers
 * while {@link FakeClock.advance} runs.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #live = 0;
  /** Binary min-heap on (due, seq); cleared timers stay in it with no callback until popped. */
  readonly #heap: FakeTimer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, callback };
    this.#push(timer);
    this.#live++;
    return timer as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as unknown as FakeTimer;
    if (timer.callback !== undefined) {
      timer.callback = undefined;
      this.#live--;
    }
  }

  /** How many timers are scheduled and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#live;
  }

  /** Due time of the earliest pending timer, or undefined when none is pending. */
  nextDue(): number | undefined {
    this.#dropCleared();
    return this.#heap[0]?.due;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError("a clock cannot go backwards");
    const target = this.#now + ms;
    for (;;) {
      this.#dropCleared();
      const top = this.#heap[0];
      if (top === undefined || top.due > target) break;
      this.#pop();
      const callback = top.callback!;
      top.callback = undefined;
      this.#live--;
      this.#now = top.due;
      callback();
    }
    this.#now = target;
  }

  /** Moves time to the next pending timer and fires everything due then; returns the new time, or undefined when nothing is pending. */
  advanceToNext(): number | undefined {
    const due = this.nextDue();
    if (due === undefined) return undefined;
    this.advance(due - this.#now);
    return this.#now;
  }

  #dropCleared(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.callback === undefined) this.#pop();
  }

  #push(timer: FakeTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(timer, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && earlier(heap[right]!, heap[left]!) ? right : left;
      if (!earlier(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}

function earlier(a: FakeTimer, b: FakeTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
