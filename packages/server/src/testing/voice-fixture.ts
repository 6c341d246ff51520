import { PassThrough } from "node:stream";
import { RtpRelay } from "@zaqros/media";
import type { DialectName } from "../db/connection.ts";
import { createTestDatabase, type TestDatabase } from "../db/testing/dialects.ts";
import type { CallRecord } from "../edges/sip/b2bua/call-record.ts";
import { CallBilling } from "../edges/sip/call-billing.ts";
import { SipEdge, type SipEdgeOptions } from "../edges/sip/sip-edge.ts";
import { createLogger } from "../logging/logger.ts";
import { composeServices, type ServiceOptions, type Services } from "../main/compose.ts";
import { freePort } from "./free-port.ts";

export const ZAQROS_IP = "127.0.0.1";
export const PHONE_IP = "127.0.0.2";
export const CARRIER_A_IP = "127.0.0.3";
export const CARRIER_B_IP = "127.0.0.4";
export const STRANGER_IP = "127.0.0.77";
export const DOMAIN = "voice.test.zaqros";

export interface VoiceFixture {
  database: TestDatabase;
  services: Services;
  edge: SipEdge;
  media: RtpRelay;
  sipPort: number;
  records: CallRecord[];
  /** Resolves once `count` call records exist. */
  recordsAfter(count: number, timeoutMs?: number): Promise<CallRecord[]>;
  close(): Promise<void>;
}

let rtpBase = 30000 + (process.pid % 50) * 400;

/** A SIP edge on loopback over a fresh database, with a relay and short timers, for tests against real peers. */
export async function startVoiceFixture(
  dialect: DialectName = "sqlite",
  overrides: Partial<SipEdgeOptions> = {},
  options: { billing?: boolean; services?: Omit<ServiceOptions, "sipDomain"> } = {},
): Promise<VoiceFixture> {
  const database = await createTestDatabase(dialect);
  const services = composeServices(database.db, { ...options.services, sipDomain: DOMAIN });
  const portMin = rtpBase;
  rtpBase += 200;
  const media = new RtpRelay({ bindAddress: ZAQROS_IP, portMin, portMax: portMin + 198 });
  const sipPort = await freePort();
  const records: CallRecord[] = [];
  const logger = createLogger({
    level: process.env.ZAQROS_TEST_LOG ?? "silent",
    format: "json",
    destination: process.env.ZAQROS_TEST_LOG ? process.stderr : new PassThrough(),
  });
  const edge = new SipEdge({
    bindAddress: ZAQROS_IP,
    publicHost: ZAQROS_IP,
    sipDomain: DOMAIN,
    sipPort,
    sipTlsPort: undefined,
    nodeId: "test-node",
    secret: "interop-test-secret-0123456789abcdef",
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
    ...(options.billing
      ? {
          billing: new CallBilling({
            accounts: services.accounts,
            rating: services.rating,
            credit: services.creditControl,
            cdrs: services.cdrs,
            nodeId: "test-node",
          }),
        }
      : {}),
    ...overrides,
  });
  await edge.start();
  return {
    database,
    services,
    edge,
    media,
    sipPort,
    records,
    async recordsAfter(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (records.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return records;
    },
    async close() {
      await edge.stop();
      media.close();
      await database.close();
    },
  };
}
