import { PassThrough } from "node:stream";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import type { TestDatabase } from "../../db/testing/dialects.ts";
import { SmtpCapture } from "../../domains/notify/smtp-capture.ts";
import { SmtpTransport } from "../../domains/notify/smtp-transport.ts";
import { buildHttpApp } from "../../edges/http/app.ts";
import { sessionAuthenticator } from "../../edges/http/session.ts";
import type { CallRecord } from "../../edges/sip/b2bua/call-record.ts";
import { createLogger } from "../../logging/logger.ts";
import type { Services } from "../../main/compose.ts";
import { ensurePortalBuilt } from "../../testing/browser.ts";
import { freePort } from "../../testing/free-port.ts";
import { DOMAIN, startVoiceFixture, ZAQROS_IP } from "../../testing/voice-fixture.ts";

/** The whole platform on loopback, as `zaqros start` wires it: portal and API over HTTP, SIP with billing, mail over SMTP. */
export interface PortalFixture {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  services: Services;
  database: TestDatabase;
  /** The SMTP server the platform sends its mail to. */
  smtp: SmtpCapture;
  sipPort: number;
  records: CallRecord[];
  /** Resolves once `count` calls have ended. */
  recordsAfter(count: number, timeoutMs?: number): Promise<CallRecord[]>;
  close(): Promise<void>;
}

/**
 * Starts Zaqros for browser tests on SQLite (one dialect: the browser sees the same HTTP answers
 * on either, and the repository tests cover PostgreSQL). Builds the portal first when it is stale.
 */
export async function startPortalFixture(): Promise<PortalFixture> {
  await ensurePortalBuilt();
  const smtp = new SmtpCapture();
  const transport = new SmtpTransport(await smtp.start(), "Zaqros <noreply@test.zaqros>");
  const httpPort = await freePort();
  const baseUrl = `http://${ZAQROS_IP}:${httpPort}`;
  const voice = await startVoiceFixture(
    "sqlite",
    { nodeId: "portal-test" },
    { billing: true, services: { mailTransport: transport, portalUrl: baseUrl } },
  );
  const { services, database, sipPort, records } = voice;
  const logger = createLogger({
    level: process.env.ZAQROS_TEST_LOG ?? "silent",
    format: "json",
    destination: process.env.ZAQROS_TEST_LOG ? process.stderr : new PassThrough(),
  });
  const http: FastifyInstance = buildHttpApp({
    logger,
    metrics: new Registry(),
    databaseReady: async () => true,
    api: { services, session: sessionAuthenticator(services.identity) },
    auth: { identity: services.identity, accounts: services.accounts },
    sipSettings: { domain: DOMAIN, host: ZAQROS_IP, port: sipPort },
  });
  await http.listen({ host: ZAQROS_IP, port: httpPort });
  return {
    baseUrl,
    services,
    database,
    smtp,
    sipPort,
    records,
    recordsAfter: (count, timeoutMs) => voice.recordsAfter(count, timeoutMs),
    async close() {
      await http.close();
      await voice.close();
      transport.close();
      await smtp.close();
    },
  };
}
