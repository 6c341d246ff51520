/**
 * What writing a REGISTER's bindings costs the registrar in CPU, on SQLite as Zaqros opens it.
 *
 *   npx tsx bench/registrations-db/index.ts [--devices 3000] [--registrations 60000] [--together 13]
 *
 * - "service": `RegistrationsService.register` refreshing one binding per device, `--together`
 *   REGISTERs handed in at once (as a busy registrar's group commit gathers them in its 3 ms),
 *   CPU time of the process per registration (user + system).
 * - "SQLite alone": the same refreshes as bare better-sqlite3 statements on the same file (the
 *   repository's read of the device's bindings, its upsert, and a share of BEGIN IMMEDIATE +
 *   COMMIT), wall time per registration: the part no JavaScript around it can save.
 *
 * Run it pinned to one core (`taskset -c 0`) on a quiet machine.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import SQLite from "better-sqlite3";
import { openDatabase } from "../../packages/server/src/db/connection.ts";
import { migrateToLatest } from "../../packages/server/src/db/migrator.ts";
import {
  type RegistrationRow,
  RegistrationsRepository,
} from "../../packages/server/src/domains/registrations/registrations.repository.ts";
import type { RegisterRequest } from "../../packages/server/src/domains/registrations/registrations.types.ts";
import { composeServices } from "../../packages/server/src/main/compose.ts";

const { values } = parseArgs({
  options: {
    devices: { type: "string", default: "3000" },
    registrations: { type: "string", default: "60000" },
    together: { type: "string", default: "13" },
  },
});
const deviceCount = Number(values.devices);
const registrations = Number(values.registrations);
const together = Number(values.together);

const line = (name: string, value: string) => console.log(`${name.padEnd(44)} ${value}`);
const micros = (ms: number, n: number) => `${((ms * 1000) / n).toFixed(1)} µs`;

const dir = mkdtempSync(join(tmpdir(), "zaqros-bench-registrations-"));
try {
  const handle = openDatabase({ dataDir: dir });
  await migrateToLatest(handle.db);
  const services = composeServices(handle.db, { sipDomain: "bench.zaqros.test" });
  const devices: Array<{ deviceId: string; accountId: string }> = [];
  for (let a = 0; devices.length < deviceCount; a++) {
    const account = await services.accounts.create({ name: `Bench ${a}`, email: `bench-${a}@example.com` });
    for (let d = 0; d < 10 && devices.length < deviceCount; d++) {
      devices.push({ deviceId: (await services.devices.provision(account.id)).id, accountId: account.id });
    }
  }

  let cseq = 1;
  const refresh = (i: number): RegisterRequest => {
    const device = devices[i % devices.length]!;
    return {
      ...device,
      contacts: [{ uri: `sip:phone@127.0.0.1:${5000 + (i % devices.length)}`, expires: 3600, q: 1000 }],
      callId: `bench-${device.deviceId}`,
      cseq: cseq++,
      source: { transport: "udp", address: "127.0.0.1", port: 5060 },
      userAgent: "bench",
      nodeId: "bench",
    };
  };
  const throughService = async (count: number) => {
    const cpu = process.cpuUsage();
    for (let i = 0; i < count; i += together) {
      const batch: Promise<unknown>[] = [];
      for (let j = 0; j < together; j++) batch.push(services.registrations.register(refresh(i + j)));
      await Promise.all(batch);
    }
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000;
  };
  await throughService(registrations / 2); // warm-up: every device has its binding, the JIT is done
  line(
    `service, ${together} REGISTERs a transaction`,
    `${micros(await throughService(registrations), registrations)} CPU a registration`,
  );

  const sqlite = new SQLite(join(dir, "zaqros.db"));
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("wal_autocheckpoint = 10000");
  const select = sqlite.prepare("select * from registrations where device_id = ?");
  // The repository's own upsert, as Kysely compiles it; each row's parameters are compiled
  // outside the timed part.
  const upsertOf = (row: RegistrationRow) => RegistrationsRepository.upsertQuery(handle.db, row).compile();
  const upsert = sqlite.prepare(upsertOf((select.all(devices[0]!.deviceId) as RegistrationRow[])[0]!).sql);
  const begin = sqlite.prepare("begin immediate");
  const commit = sqlite.prepare("commit");
  let selecting = 0;
  let writing = 0;
  let committing = 0;
  for (let i = 0; i < registrations; i += together) {
    let at = performance.now();
    begin.run();
    committing += performance.now() - at;
    for (let j = 0; j < together; j++) {
      const { deviceId } = devices[(i + j) % devices.length]!;
      at = performance.now();
      const [row] = select.all(deviceId) as RegistrationRow[];
      selecting += performance.now() - at;
      const now = Date.now();
      const { parameters } = upsertOf({
        ...row!,
        cseq: row!.cseq + 1,
        expires_at: new Date(now + 3_600_000).toISOString(),
        updated_at: new Date(now).toISOString(),
      });
      at = performance.now();
      upsert.run(parameters);
      writing += performance.now() - at;
    }
    at = performance.now();
    commit.run();
    committing += performance.now() - at;
  }
  sqlite.close();
  await handle.close();
  line("SQLite alone: read the device's bindings", micros(selecting, registrations));
  line("SQLite alone: write the binding", micros(writing, registrations));
  line(`SQLite alone: begin + commit (per ${together})`, micros(committing, registrations));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
