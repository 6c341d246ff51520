import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Config } from "../config/config.ts";
import { loadOrCreateSecret } from "../config/server-secret.ts";
import { type DatabaseHandle, openDatabase, pingDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrator.ts";
import { AccountsRepository } from "../domains/accounts/accounts.repository.ts";
import { AccountsService } from "../domains/accounts/accounts.service.ts";
import { buildHttpApp } from "../edges/http/app.ts";
import { createLogger, type Logger } from "../logging/logger.ts";

export interface Services {
  accounts: AccountsService;
}

export interface Platform {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  readonly services: Services;
  readonly http: FastifyInstance;
  /** Starts listening; resolves with the portal URL. */
  start(): Promise<{ portalUrl: string }>;
  /** Stops accepting work, lets work in flight finish (bounded by the shutdown timeout), closes the database. */
  stop(): Promise<void>;
}

export interface ComposeOptions {
  logger?: Logger;
}

/** The composition root: the only place that builds concrete objects and wires them together. */
export async function composePlatform(config: Config, options: ComposeOptions = {}): Promise<Platform> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  loadOrCreateSecret(config.secret, config.dataDir);
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ applied }, "database migrated");
  } catch (error) {
    await database.close();
    throw error;
  }

  const services: Services = {
    accounts: new AccountsService({ repository: new AccountsRepository(database.db) }),
  };

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const http = buildHttpApp({ logger, metrics, databaseReady: () => pingDatabase(database.db) });

  let stopping: Promise<void> | undefined;
  return {
    config,
    logger,
    database,
    services,
    http,
    async start() {
      await http.listen({ host: config.bindAddress, port: config.httpPort });
      const portalUrl = `http://${hostForUrl(config.publicHost)}:${config.httpPort}/`;
      logger.info({ portalUrl, database: database.dialect }, "Zaqros is running");
      return { portalUrl };
    },
    stop() {
      stopping ??= (async () => {
        logger.info("shutting down");
        const timeout = new Promise<"timeout">((resolve) =>
          setTimeout(resolve, config.shutdownTimeoutMs, "timeout").unref(),
        );
        const outcome = await Promise.race([http.close().then(() => "closed" as const), timeout]);
        if (outcome === "timeout") {
          logger.warn(
            { timeoutMs: config.shutdownTimeoutMs },
            "work in flight did not finish in time; closing anyway",
          );
          http.server.closeAllConnections();
        }
        await database.close();
        logger.info("stopped");
        logger.flush();
      })();
      return stopping;
    },
  };
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
