import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "../logging/logger.ts";
import { JobScheduler } from "./scheduler.ts";

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new PassThrough();
  stream.on("data", (chunk) => {
    for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { logger: createLogger({ level: "info", format: "json", destination: stream }), lines };
}

test("when a job fails, then the failure is logged and the job runs again at its next time", async () => {
  const { logger, lines } = capturedLogger();
  let runs = 0;
  const scheduler = new JobScheduler(
    [
      {
        name: "flaky",
        everyMs: 20,
        firstAfterMs: 0,
        run: async () => {
          runs++;
          if (runs === 1) throw new Error("database busy");
        },
      },
    ],
    logger,
  );
  scheduler.start();
  await sleep(150);
  await scheduler.stop();
  assert.ok(runs >= 3, `ran ${runs} times`);
  assert.ok(lines.some((l) => l.msg === "job failed" && l.job === "flaky"));
});

test("when a run takes longer than the interval, then runs never overlap and stop waits for the one in flight", async () => {
  const { logger } = capturedLogger();
  let active = 0;
  let most = 0;
  let finished = 0;
  const scheduler = new JobScheduler(
    [
      {
        name: "slow",
        everyMs: 5,
        firstAfterMs: 0,
        run: async () => {
          active++;
          most = Math.max(most, active);
          await sleep(40);
          active--;
          finished++;
        },
      },
    ],
    logger,
  );
  scheduler.start();
  await sleep(100);
  await scheduler.stop();
  assert.equal(most, 1);
  assert.equal(active, 0, "stop resolved after the run in flight ended");
  const after = finished;
  await sleep(60);
  assert.equal(finished, after, "nothing runs after stop");
});
