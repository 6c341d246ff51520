import type { CreditControlService } from "./credit-control.service.ts";
import type { CallOutcome, FinishedCall } from "./credit-control.types.ts";

export interface FinishBatcherOptions {
  /** Flush as soon as this many calls wait (default 500). */
  maxBatch?: number;
  /** Flush the calls waiting after at most this long (default 10 ms). */
  maxDelayMs?: number;
  now?: () => Date;
}

interface Waiting {
  callId: string;
  outcome: CallOutcome;
  resolve: (finished: FinishedCall) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers call endings for a few milliseconds and finishes them in one transaction each batch,
 * so a node ending thousands of calls a second commits tens of transactions, not thousands. Each
 * call's end time is taken when it is handed over, not when its batch is written.
 */
export class FinishBatcher {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly creditControl: Pick<CreditControlService, "finishMany">,
    options: FinishBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 10;
    this.now = options.now ?? (() => new Date());
  }

  /** Resolves once the call's CDR and charge are committed. */
  finish(callId: string, outcome: CallOutcome): Promise<FinishedCall> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        callId,
        outcome: { ...outcome, endedAt: outcome.endedAt ?? this.now() },
        resolve,
        reject,
      });
      if (this.waiting.length >= this.maxBatch) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
    });
  }

  /** Writes what waits now; resolves when that and every batch before it are written. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length > 0) {
      const written = this.write(batch);
      this.inFlight.add(written);
      void written.finally(() => this.inFlight.delete(written));
    }
    await Promise.all([...this.inFlight]);
  }

  private async write(batch: readonly Waiting[]): Promise<void> {
    try {
      const results = await this.creditControl.finishMany(
        batch.map((w) => ({ callId: w.callId, outcome: w.outcome })),
      );
      for (const [i, waiting] of batch.entries()) waiting.resolve(results[i] as FinishedCall);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
