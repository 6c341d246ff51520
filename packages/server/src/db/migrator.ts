import { type Kysely, type Migration, Migrator } from "kysely";
import { MIGRATIONS } from "./migrations/index.ts";

export interface MigrationReport {
  applied: string[];
  pending: string[];
}

function migrator(db: Kysely<any>, migrations: Record<string, Migration>) {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** Applies every pending migration in order, each in its own transaction; throws on the first failure. */
export async function migrateToLatest(
  db: Kysely<any>,
  migrations: Record<string, Migration> = MIGRATIONS,
): Promise<MigrationReport> {
  const { error, results } = await migrator(db, migrations).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`migration ${failed ?? "(unknown)"} failed: ${(error as Error).message ?? error}`);
  }
  return { applied: (results ?? []).map((r) => r.migrationName), pending: [] };
}

/** Names of migrations not yet applied, without applying them. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await migrator(db, MIGRATIONS).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
