import { PassThrough } from "node:stream";
import { RtpRelay } from "@zaqros/media";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { createTestDatabase, type TestDatabase } from "../../db/testing/dialects.ts";
import { SmtpCapture } from "../../domains/notify/smtp-capture.ts";
import { SmtpTransport } from "../../domains/notify/smtp-transport.ts";
import { buildHttpApp } from "../../edges/http/app.ts";
import { sessionAuthenticator } from "../../edges/http/session.ts";
import type { CallRecord } from "../../edges/sip/b2bua/call-record.ts";
import { CallBilling } from "../../edges/sip/call-billing.ts";
import { SipEdge } from "../../edges/sip/sip-edge.ts";
import { createLogger } from "../../logging/logger.ts";
import { composeServices, type Services } from "../../main/compose.ts";
import { ensurePortalBuilt } from "../../testing/browser.ts";
import { freePort } from "../../testing/free-port.ts";
import { DOMAIN, ZAQROS_IP } from "../../testing/voice-fixture.ts";

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
  const database = await createTestDatabase("sqlite");
  const httpPort = await freePort();
  const baseUrl = `http://${ZAQROS_IP}:${httpPort}`;
  const services = composeServices(database.db, {
    sipDomain: DOMAIN,
    mailTransport: transport,
    portalUrl: baseUrl,
  });
  const logger = createLogger({
    level: process.env.ZAQROS_TEST_LOG ?? "silent",
    format: "json",
    destination: process.env.ZAQROS_TEST_LOG ? process.stderr : new PassThrough(),
  });
  const portMin = 29_000 + (process.pid % 5) * 200;
  const media = new RtpRelay({ bindAddress: ZAQROS_IP, portMin, portMax: portMin + 198 });
  const sipPort = await freePort();
  const records: CallRecord[] = [];
  const sip = new SipEdge({
    bindAddress: ZAQROS_IP,
    publicHost: ZAQROS_IP,
    sipDomain: DOMAIN,
    sipPort,
    sipTlsPort: undefined,
    nodeId: "portal-test",
    secret: "portal-test-secret-0123456789abcdef",
    logger,
    services,
    media,
    carrierProbeIntervalMs: 0,
    // SIPp 3.6 reads only the first challenge and knows only MD5.
    digestAlgorithms: ["MD5", "SHA-256"],
    timers: { noAnswerMs: 10_000, carrierSetupMs: 2_000 },
    onCallEnded: (record) => {
      records.push(record);
    },
    billing: new CallBilling({
      accounts: services.accounts,
      rating: services.rating,
      credit: services.creditControl,
      cdrs: services.cdrs,
      nodeId: "portal-test",
    }),
  });
  await sip.start();
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
    async recordsAfter(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (records.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return records;
    },
    async close() {
      await http.close();
      await sip.stop();
      media.close();
      transport.close();
      await smtp.close();
      await database.close();
    },
  };
}
