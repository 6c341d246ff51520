import { randomUUID } from "node:crypto";
import { createTestDatabase } from "../../packages/server/src/db/testing/dialects.ts";
import { CdrRepository } from "../../packages/server/src/domains/cdr/cdr.repository.ts";
import type { Cdr } from "../../packages/server/src/domains/cdr/cdr.types.ts";

const database = await createTestDatabase("sqlite");
const repo = new CdrRepository(database.db);
const mk = (i: number): Cdr => ({
  id: randomUUID(),
  callId: randomUUID(),
  accountId: randomUUID(),
  deviceId: null,
  direction: "outbound",
  source: "+1555",
  destination: "+44207",
  startedAt: new Date(1e12 + i * 1000).toISOString(),
  answeredAt: null,
  endedAt: new Date(1e12 + i * 1000).toISOString(),
  durationSeconds: 0,
  billedSeconds: 0,
  cost: 0,
  currency: "USD",
  carrierId: null,
  sipStatus: 200,
  hangupBy: "caller",
  nodeId: "n",
  planId: null,
  ratePrefix: null,
});
const all = Array.from({ length: 50000 }, (_, i) => mk(i));
const t = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < all.length; i += 1000) await repo.insertMany(all.slice(i, i + 1000));
const cpu = process.cpuUsage(c0);
console.log(
  "repo.insertMany rows/s",
  Math.round(all.length / ((performance.now() - t) / 1000)),
  "cpu",
  (cpu.user + cpu.system) / 1e6,
);
await database.close();
