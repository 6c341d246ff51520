import {
  type DatabaseConnection,
  type Driver,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";

/** Kysely's SQLite driver, telling whether its one connection is held by anyone right now. */
class TrackedSqliteDriver extends SqliteDriver {
  held = false;

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.held = true;
    return connection;
  }

  override async releaseConnection(): Promise<void> {
    this.held = false;
    return super.releaseConnection();
  }
}

/**
 * Kysely's SQLite dialect whose driver says when its connection is free (see SqliteAccess.idle).
 * Kysely hands the single connection to one user at a time (a query, a transaction, a stream);
 * between its release and the next acquisition nothing runs on it.
 */
export class TrackedSqliteDialect extends SqliteDialect {
  readonly #driver: TrackedSqliteDriver;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#driver = new TrackedSqliteDriver(config);
  }

  override createDriver(): Driver {
    return this.#driver;
  }

  /** True while Kysely holds the connection for someone. */
  get connectionHeld(): boolean {
    return this.#driver.held;
  }
}
