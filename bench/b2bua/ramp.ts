/** How one load step ended. */
export type Verdict =
  /** Under the failure limit, at the rate asked. */
  | "pass"
  /** Too many calls failed. */
  | "fail"
  /** SIPp could not start calls at the rate asked: the generator, not the server, is the limit. */
  | "generator-limited";

export interface Step {
  rate: number;
  verdict: Verdict;
}

export interface RampOptions {
  start: number;
  max: number;
  /** Growth while every step passes. */
  factor: number;
  /** Stop bisecting once the gap between the best pass and the lowest failure is this share of the pass. */
  resolution: number;
  maxSteps: number;
  /** Date.now() after which no new step starts. */
  deadline: number;
}

export interface RampResult<S extends Step> {
  steps: S[];
  /** The highest rate that passed, if any. */
  best: S | undefined;
  /** Why the search stopped. */
  stop: string;
}

/** Rates read better rounded: to 10 above 100, to 50 above 1000. */
function round(rate: number): number {
  if (rate >= 1000) return Math.round(rate / 50) * 50;
  if (rate >= 100) return Math.round(rate / 10) * 10;
  return Math.max(1, Math.round(rate));
}

/**
 * Finds the highest rate at which `run` passes: the rate grows by `factor` until a step fails,
 * then the gap between the best pass and the lowest failure is halved until it is under
 * `resolution`. A step SIPp could not generate ends the search: higher rates would measure SIPp.
 */
export async function findHighestRate<S extends Step>(
  run: (rate: number) => Promise<S>,
  options: RampOptions,
): Promise<RampResult<S>> {
  const steps: S[] = [];
  let best: S | undefined;
  let lowestFailure: number | undefined;
  let rate = round(options.start);
  for (;;) {
    if (steps.length >= options.maxSteps) return { steps, best, stop: `used all ${options.maxSteps} steps` };
    if (Date.now() > options.deadline) return { steps, best, stop: "ran out of time" };
    const step = await run(rate);
    steps.push(step);
    if (step.verdict === "generator-limited") {
      return { steps, best, stop: `SIPp could not generate ${rate}/s (the generator is the limit)` };
    }
    if (step.verdict === "pass") {
      if (!best || step.rate > best.rate) best = step;
    } else {
      lowestFailure = Math.min(lowestFailure ?? rate, rate);
    }
    if (lowestFailure === undefined) {
      if (rate >= options.max)
        return { steps, best, stop: `reached the maximum rate asked (${options.max}/s)` };
      rate = round(Math.min(options.max, rate * options.factor));
      continue;
    }
    const floor = best?.rate ?? 0;
    const next = round((floor + lowestFailure) / 2);
    if (lowestFailure - floor <= options.resolution * floor || next === floor || next === lowestFailure) {
      return {
        steps,
        best,
        stop: `failures start between ${floor}/s and ${lowestFailure}/s`,
      };
    }
    rate = next;
  }
}
