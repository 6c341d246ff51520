import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe } from "node:test";
import pg from "pg";
import { type DatabaseHandle, type DialectName, openDatabase } from "../connection.ts";
import { migrateToLatest } from "../migrator.ts";

/** The PostgreSQL server tests use; CI and development machines run one here with trust auth. */
export const TEST_POSTGRES_URL =
  process.env.ZAQROS_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const DIALECTS: readonly DialectName[] = ["sqlite", "postgres"];

export interface TestDatabase extends DatabaseHandle {
  /** The URL of the fresh PostgreSQL database, or undefined for SQLite. */
  readonly url: string | undefined;
  readonly dataDir: string;
}

/**
 * Creates an empty database of the given dialect: a new SQLite file in a temporary folder, or a
 * new PostgreSQL database on the test server. A PostgreSQL server that cannot be reached is an
 * error, never a skip.
 */
export async function createTestDatabase(
  dialect: DialectName,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), "zq-db-"));
  let url: string | undefined;
  let dropDatabase = async () => {};
  if (dialect === "postgres") {
    const name = `zq_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(
        `PostgreSQL tests need the server at ${TEST_POSTGRES_URL} (set ZAQROS_TEST_POSTGRES_URL): ${(error as Error).message}`,
      );
    }
    await admin.query(`create database ${name}`);
    await admin.end();
    const target = new URL(TEST_POSTGRES_URL);
    target.pathname = `/${name}`;
    url = target.toString();
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    };
  }
  const handle = openDatabase({ databaseUrl: url, dataDir, maxConnections: 20 });
  if (options.migrate !== false) await migrateToLatest(handle.db);
  return {
    ...handle,
    url,
    dataDir,
    async close() {
      await handle.close();
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a suite once per dialect against a fresh, migrated database:
 * `forEachDialect("accounts repository", (database) => { test(..., async () => database().db ...) })`.
 */
export function forEachDialect(
  name: string,
  suite: (database: () => TestDatabase, dialect: DialectName) => void,
  options: { migrate?: boolean } = {},
): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      before(async () => {
        database = await createTestDatabase(dialect, options);
      });
      after(async () => {
        await database?.close();
      });
      suite(() => {
        if (!database) throw new Error("test database not ready");
        return database;
      }, dialect);
    });
  }
}
