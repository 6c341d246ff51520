import type { TimerHandle } from "../clock.ts";
import type { TransactionContext } from "./transaction-context.ts";

const unset = -1;

/**
 * The timer plumbing every transaction shares. A transaction has at most two deadlines at a
 * time, a retransmission (Timer A, E or G, or the 100 Trying wait) and a timeout (B, D, F, H, I,
 * J, K, L or M), but holds a single clock timer armed for the earlier one: with 100,000 live
 * transactions, one timer object per transaction instead of two is a saving worth having.
 */
export abstract class TimedTransaction {
  protected readonly context: TransactionContext;
  /** Interval of the armed retransmission, for the doubling of Timers A, E and G. */
  protected retransmitInterval = 0;
  #timer: TimerHandle | undefined = undefined;
  #timerDue = 0;
  #retransmitAt = unset;
  #timeoutAt = unset;

  constructor(context: TransactionContext) {
    this.context = context;
  }

  /** Called when the retransmission deadline passes; the subclass decides by its state what that means. */
  protected abstract retransmitFired(): void;
  /** Called when the timeout deadline passes; the subclass decides by its state which timer it was. */
  protected abstract timeoutFired(): void;

  /** Arms (or re-arms) the retransmission deadline `ms` from now. */
  protected setRetransmitTimer(ms: number): void {
    this.retransmitInterval = ms;
    this.#retransmitAt = wholeMilliseconds(this.context.clock.now() + ms);
    this.#arm();
  }

  /** Arms (or re-arms) the timeout deadline `ms` from now. */
  protected setTimeoutTimer(ms: number): void {
    this.#timeoutAt = wholeMilliseconds(this.context.clock.now() + ms);
    this.#arm();
  }

  protected clearRetransmitTimer(): void {
    this.#retransmitAt = unset;
    this.#arm();
  }

  protected clearTimers(): void {
    this.#retransmitAt = unset;
    this.#timeoutAt = unset;
    this.#arm();
  }

  #arm(): void {
    const retransmitAt = this.#retransmitAt;
    const timeoutAt = this.#timeoutAt;
    const due =
      retransmitAt === unset
        ? timeoutAt
        : timeoutAt === unset
          ? retransmitAt
          : Math.min(retransmitAt, timeoutAt);
    const clock = this.context.clock;
    if (this.#timer !== undefined) {
      if (due !== unset && due >= this.#timerDue) return;
      clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (due === unset) return;
    this.#timerDue = due;
    this.#timer = clock.setTimeout(() => this.#fire(), due - clock.now());
  }

  /**
   * A timeout due at the same instant as a retransmission wins: Timer B, F or H ends the
   * transaction, and one more copy of the message would only reach a peer that is gone.
   */
  #fire(): void {
    this.#timer = undefined;
    const now = this.context.clock.now();
    if (this.#timeoutAt !== unset && this.#timeoutAt <= now) {
      this.#timeoutAt = unset;
      this.timeoutFired();
    }
    if (this.#retransmitAt !== unset && this.#retransmitAt <= now) {
      this.#retransmitAt = unset;
      this.retransmitFired();
    }
    this.#arm();
  }
}

/**
 * Deadlines are rounded up to whole milliseconds: small integers live inside the object in V8,
 * where a fractional reading of `performance.now()` would cost a heap number per deadline.
 */
function wholeMilliseconds(time: number): number {
  return Math.ceil(time);
}
