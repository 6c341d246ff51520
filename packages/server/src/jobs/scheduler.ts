import type { Logger } from "../logging/logger.ts";

export interface ScheduledJob {
  name: string;
  /** How often it runs; the first run is `firstAfterMs` after start. */
  everyMs: number;
  firstAfterMs: number;
  run: () => Promise<unknown>;
}

/**
 * Runs jobs in this process on timers (the `jobs` part of `zaqros start`). A run never overlaps
 * the previous run of the same job; a failed run is logged and the job runs again at its next
 * time. Timers do not keep the process alive, and `stop` waits for runs in flight.
 */
export class JobScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly jobs: readonly ScheduledJob[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    for (const job of this.jobs) this.schedule(job, job.firstAfterMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.running.values());
  }

  private reportFailure(name: string, error: unknown) {
    try {
      this.logger.error({ err: error, job: name }, "job failed");
    } catch {
      // A log line that cannot be written must not stop the job from running again.
    }
  }

  private schedule(job: ScheduledJob, delayMs: number) {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.running.has(job.name)) return this.schedule(job, job.everyMs);
      const run = (async () => {
        try {
          await job.run();
        } catch (error) {
          this.reportFailure(job.name, error);
        } finally {
          this.running.delete(job.name);
          this.schedule(job, job.everyMs);
        }
      })();
      this.running.set(job.name, run);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }
}
