import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { RtpRelay } from "@zaqros/media";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { collectDefaultMetrics, Registry } from "prom-client";
import { type Config, effectiveHttpsPort } from "../config/config.ts";
import { loadOrCreateSecret } from "../config/server-secret.ts";
import { loadOrCreateCertificate } from "../config/tls-certificate.ts";
import { type DatabaseHandle, openDatabase, pingDatabase } from "../db/connection.ts";
import { migrateToLatest } from "../db/migrator.ts";
import type { Database } from "../db/schema.ts";
import { AccountsRepository } from "../domains/accounts/accounts.repository.ts";
import { AccountsService } from "../domains/accounts/accounts.service.ts";
import { UsageAnalyticsRepository } from "../domains/analytics/usage-analytics.repository.ts";
import { UsageAnalyticsService } from "../domains/analytics/usage-analytics.service.ts";
import { ApiKeysRepository } from "../domains/apikeys/api-keys.repository.ts";
import { ApiKeysService } from "../domains/apikeys/api-keys.service.ts";
import { CdrRepository } from "../domains/cdr/cdr.repository.ts";
import { CdrService } from "../domains/cdr/cdr.service.ts";
import { DevicesRepository } from "../domains/devices/devices.repository.ts";
import { DevicesService } from "../domains/devices/devices.service.ts";
import { IdentityRepository } from "../domains/identity/identity.repository.ts";
import { IdentityService, type SessionPolicy } from "../domains/identity/identity.service.ts";
import { type GeoLookup, IpLocator } from "../domains/identity/ip-location.ts";
import { SecretBox } from "../domains/identity/secret-box.ts";
import { CallsInProgressRepository } from "../domains/ledger/calls-in-progress.repository.ts";
import { CreditControlService } from "../domains/ledger/credit-control.service.ts";
import { LedgerRepository } from "../domains/ledger/ledger.repository.ts";
import { LedgerService } from "../domains/ledger/ledger.service.ts";
import { LegalRepository } from "../domains/legal/legal.repository.ts";
import { LegalService } from "../domains/legal/legal.service.ts";
import { NotifyService } from "../domains/notify/notify.service.ts";
import type { MailTransport } from "../domains/notify/notify.types.ts";
import { OutboxRepository } from "../domains/notify/outbox.repository.ts";
import { OutboxTransport } from "../domains/notify/outbox-transport.ts";
import { SmtpTransport } from "../domains/notify/smtp-transport.ts";
import { NumbersRepository } from "../domains/numbers/numbers.repository.ts";
import { NumbersService } from "../domains/numbers/numbers.service.ts";
import { PaymentsRepository } from "../domains/payments/payments.repository.ts";
import { PaymentsService } from "../domains/payments/payments.service.ts";
import type { PaymentGateway, TopUpLimits } from "../domains/payments/payments.types.ts";
import { PayPalClient, type PayPalClientOptions } from "../domains/payments/paypal-client.ts";
import { INVENTORY } from "../domains/privacy/inventory.ts";
import { PrivacyRepository } from "../domains/privacy/privacy.repository.ts";
import { PrivacyService } from "../domains/privacy/privacy.service.ts";
import type { PrivacyPolicyOptions } from "../domains/privacy/privacy.types.ts";
import { RetentionRepository } from "../domains/privacy/retention.repository.ts";
import { RetentionService } from "../domains/privacy/retention.service.ts";
import { RatingRepository } from "../domains/rating/rating.repository.ts";
import { RatingService } from "../domains/rating/rating.service.ts";
import { RegistrationsRepository } from "../domains/registrations/registrations.repository.ts";
import { RegistrationsService } from "../domains/registrations/registrations.service.ts";
import type { RegistrarPolicy } from "../domains/registrations/registrations.types.ts";
import { CarriersRepository } from "../domains/routing/carriers.repository.ts";
import { CarriersService } from "../domains/routing/carriers.service.ts";
import { buildHttpApp } from "../edges/http/app.ts";
import { DualServers, isLoopback } from "../edges/http/https.ts";
import { sessionAuthenticator } from "../edges/http/session.ts";
import { CallBilling } from "../edges/sip/call-billing.ts";
import { SipEdge } from "../edges/sip/sip-edge.ts";
import { runRetentionJob } from "../jobs/retention-job.ts";
import { JobScheduler } from "../jobs/scheduler.ts";
import { createLogger, type Logger } from "../logging/logger.ts";

export interface Services {
  legal: LegalService;
  retention: RetentionService;
  analytics: UsageAnalyticsService;
  accounts: AccountsService;
  devices: DevicesService;
  registrations: RegistrationsService;
  carriers: CarriersService;
  numbers: NumbersService;
  rating: RatingService;
  ledger: LedgerService;
  creditControl: CreditControlService;
  apiKeys: ApiKeysService;
  cdrs: CdrService;
  notify: NotifyService;
  identity: IdentityService;
  payments: PaymentsService;
  privacy: PrivacyService;
}

/** One per process: its database files load on first use and are shared by every composition. */
const bundledIpLocator = new IpLocator();
const PROCESS_SECRET = randomBytes(32).toString("base64url");

export interface ServiceOptions {
  /** Retention and policy-change settings (privacy policy §7, §12); defaults as in config-keys.ts. */
  dataLifecycle?: DataLifecycleOptions;
  /** The SIP domain: realm of device credentials. */
  sipDomain: string;
  registrar?: Partial<RegistrarPolicy>;
  /** Credit control: seconds of talk each reservation adds, and the longest any call may last. */
  billing?: { sliceSeconds?: number; maxCallSeconds?: number };
  now?: () => Date;
  /** Where mail goes; default the local outbox in the database. */
  mailTransport?: MailTransport;
  /** The portal's address for links in mail, without a trailing slash. */
  portalUrl?: string;
  /** Idle, absolute and re-authentication limits of portal sessions. */
  sessions?: Partial<SessionPolicy>;
  /** PayPal top-ups; without PayPal credentials payments are not configured. */
  payments?: PaymentsOptions;
  /**
   * The server secret, from which the key sealing TOTP secrets is derived. The platform and the CLI
   * always pass theirs; left out (tests), a random one lives as long as this process.
   */
  secret?: string;
  /** Places of addresses in the connection log; default DB-IP's city lite database from npm. */
  geo?: GeoLookup;
  /** Cooling-off, archive lifetime and the size above which archives are built in the background. */
  privacy?: Partial<PrivacyPolicyOptions>;
  /** How long signalling reuses devices, accounts, numbers and carriers it read (ms); default 1000. */
  signallingCacheMs?: number;
}

/** The mail transport the configuration asks for: SMTP when a URL is set, else the local outbox. */
export function mailTransportFor(
  config: Pick<Config, "smtpUrl" | "mailFrom">,
  db: Kysely<Database>,
): MailTransport {
  return config.smtpUrl
    ? new SmtpTransport(config.smtpUrl, config.mailFrom)
    : new OutboxTransport(new OutboxRepository(db));
}

/** Builds every domain service over one database. */
export function composeServices(db: Kysely<Database>, options: ServiceOptions): Services {
  const now = options.now;
  const cacheMs = options.signallingCacheMs;
  const accounts = new AccountsService({ repository: new AccountsRepository(db), now, cacheMs });
  const rating = new RatingService({ repository: new RatingRepository(db), accounts, now, cacheMs });
  const ledger = new LedgerService({ repository: new LedgerRepository(db), accounts, now });
  const cdrs = new CdrService({ repository: new CdrRepository(db), rating, ledger, now });
  const creditControl = new CreditControlService({
    calls: new CallsInProgressRepository(db),
    ledger,
    cdrs,
    now,
    ...options.billing,
  });
  const outbox = new OutboxRepository(db);
  const portalUrl = options.portalUrl ?? "http://127.0.0.1:8080";
  // Optional mail asks the privacy domain (consent, restriction, objection), which itself sends through notify.
  let privacy: PrivacyService | undefined;
  const notify = new NotifyService({
    transport: options.mailTransport ?? new OutboxTransport(outbox, now),
    outbox,
    portalUrl,
    optionalMail: {
      allows: (accountId, purpose) =>
        privacy?.allowsOptionalMail(accountId, purpose) ?? Promise.resolve(false),
    },
  });
  const payments = composePayments(db, { ledger, accounts, notify, now }, options);
  privacy = new PrivacyService({
    repository: new PrivacyRepository(db),
    inventory: INVENTORY,
    accounts,
    ledger,
    notify,
    portalUrl,
    options: options.privacy,
    // Top-ups held for staff review (amount or currency not as ordered) are open matters an erasure states.
    openDisputes: async (accountId) =>
      (await payments.list(accountId, 1000)).filter((topUp) => topUp.status === "flagged").length,
    now,
  });
  const legal = new LegalService({
    repository: new LegalRepository(db),
    accounts,
    notify,
    noticeDays: options.dataLifecycle?.legalNoticeDays,
    portalUrl: options.portalUrl ?? "http://127.0.0.1:8080",
    now,
  });
  const retention = new RetentionService({
    repository: new RetentionRepository(db),
    billingWindowMonths: options.dataLifecycle?.billingWindowMonths,
    now,
  });
  const analytics = new UsageAnalyticsService({
    repository: new UsageAnalyticsRepository(db),
    excludedAccounts: () => privacy.accountsExcludedFromAnalytics(),
    minimumGroupSize: options.dataLifecycle?.analyticsMinGroup,
  });
  return {
    legal,
    retention,
    analytics,
    rating,
    ledger,
    creditControl,
    cdrs,
    accounts,
    devices: new DevicesService({
      repository: new DevicesRepository(db),
      accounts,
      realm: options.sipDomain,
      now,
      cacheMs,
    }),
    registrations: new RegistrationsService({
      repository: new RegistrationsRepository(db),
      policy: options.registrar,
      now,
    }),
    carriers: new CarriersService({ repository: new CarriersRepository(db), now, cacheMs }),
    numbers: new NumbersService({ repository: new NumbersRepository(db), accounts, now, cacheMs }),
    apiKeys: new ApiKeysService({ repository: new ApiKeysRepository(db), accounts, now }),
    notify,
    privacy,
    payments,
    identity: new IdentityService({
      repository: new IdentityRepository(db),
      accounts,
      notify,
      legal: legal.currentVersions,
      geo: options.geo ?? bundledIpLocator.lookup,
      secretBox: new SecretBox(options.secret ?? PROCESS_SECRET, "totp-secret"),
      policy: options.sessions,
      now,
    }),
  };
}

export interface PaymentsOptions {
  /** PayPal's REST API; undefined means payments are not configured. */
  paypal?: PayPalClientOptions | undefined;
  /** A gateway other than PayPal's REST client (none in production). */
  gateway?: PaymentGateway | undefined;
  limits?: Partial<TopUpLimits>;
  /** Where PayPal sends customers back: this server's public address, without a trailing slash. */
  publicUrl?: string;
}

const DEFAULT_TOPUP_LIMITS: TopUpLimits = {
  minimum: 5_000_000,
  maximum: 500_000_000,
  dailyCap: 1_000_000_000,
};

function composePayments(
  db: Kysely<Database>,
  deps: {
    ledger: LedgerService;
    accounts: AccountsService;
    notify: NotifyService;
    now: (() => Date) | undefined;
  },
  options: ServiceOptions,
): PaymentsService {
  const settings = options.payments ?? {};
  return new PaymentsService({
    repository: new PaymentsRepository(db),
    ledger: deps.ledger,
    accounts: deps.accounts,
    notifier: deps.notify,
    gateway: settings.gateway ?? (settings.paypal ? new PayPalClient(settings.paypal) : undefined),
    limits: { ...DEFAULT_TOPUP_LIMITS, ...settings.limits },
    publicUrl: settings.publicUrl ?? options.portalUrl ?? "http://127.0.0.1:8080",
    now: deps.now,
  });
}

/** PayPal settings from the configuration: all four keys, or payments are not configured. */
export function paymentsOptionsOf(config: Config, publicUrl: string): PaymentsOptions {
  const { paypalApiUrl, paypalClientId, paypalClientSecret, paypalWebhookId } = config;
  const paypal =
    paypalApiUrl && paypalClientId && paypalClientSecret && paypalWebhookId
      ? {
          baseUrl: paypalApiUrl,
          clientId: paypalClientId,
          clientSecret: paypalClientSecret,
          webhookId: paypalWebhookId,
        }
      : undefined;
  return {
    paypal,
    limits: { minimum: config.topUpMinimum, maximum: config.topUpMaximum, dailyCap: config.topUpDailyLimit },
    publicUrl,
  };
}

/** Opens the configured database, migrates it and builds the services (for CLI commands). */
export async function openServices(
  config: Config,
): Promise<{ services: Services; close: () => Promise<void> }> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    services: composeServices(database.db, {
      sipDomain: config.sipDomain,
      secret: loadOrCreateSecret(config.secret, config.dataDir),
      mailTransport: mailTransportFor(config, database.db),
      dataLifecycle: dataLifecycleOf(config),
      portalUrl: portalUrlOf(config),
      privacy: privacyOptionsOf(config),
      payments: paymentsOptionsOf(config, portalUrlOf(config)),
    }),
    close: () => database.close(),
  };
}

export interface Platform {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  readonly services: Services;
  readonly http: FastifyInstance;
  readonly sip: SipEdge;
  readonly media: RtpRelay;
  /**
   * Starts listening; resolves with the portal URL (plain HTTP when the public host is this
   * machine, else HTTPS) and the HTTPS URL when HTTPS is on.
   */
  start(): Promise<{ portalUrl: string; httpsUrl?: string }>;
  /** Stops accepting work, lets work in flight finish (bounded by the shutdown timeout), closes the database. */
  stop(): Promise<void>;
}

export interface ComposeOptions {
  logger?: Logger;
}

/** The composition root: the only place that builds concrete objects and wires them together. */
export async function composePlatform(config: Config, options: ComposeOptions = {}): Promise<Platform> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const secret = loadOrCreateSecret(config.secret, config.dataDir);
  const tls = await loadOrCreateCertificate({
    dataDir: config.dataDir,
    publicHost: config.publicHost,
    certFile: config.tlsCertFile,
    keyFile: config.tlsKeyFile,
  });
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ applied }, "database migrated");
  } catch (error) {
    await database.close();
    throw error;
  }

  const services = composeServices(database.db, {
    sipDomain: config.sipDomain,
    secret,
    mailTransport: mailTransportFor(config, database.db),
    dataLifecycle: dataLifecycleOf(config),
    portalUrl: portalUrlOf(config),
    privacy: privacyOptionsOf(config),
    payments: paymentsOptionsOf(config, portalUrlOf(config)),
    signallingCacheMs: config.signallingCacheMs,
  });

  const sealed = await services.identity.sealPlainTotpSecrets();
  if (sealed > 0) logger.info({ sealed }, "two-factor secrets of an older version sealed at rest");

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const httpsPort = effectiveHttpsPort(config);
  const servers = httpsPort === undefined ? undefined : new DualServers(tls);
  const http = buildHttpApp({
    logger,
    metrics,
    databaseReady: () => pingDatabase(database.db),
    api: { services, session: sessionAuthenticator(services.identity) },
    auth: { identity: services.identity, accounts: services.accounts },
    payments: { payments: services.payments },
    legal: {
      legal: services.legal,
      staff: config.staffApiKey
        ? { staffApiKey: config.staffApiKey, analytics: services.analytics }
        : undefined,
    },
    privacy: { privacy: services.privacy, identity: services.identity, staffApiKey: config.staffApiKey },
    https: servers && httpsPort ? { servers, port: httpsPort, publicHost: config.publicHost } : undefined,
    trustProxy: config.trustProxy,
    sipSettings: {
      domain: config.sipDomain,
      host: config.publicHost,
      port: config.sipPort,
      tlsPort: config.sipTlsPort ?? config.sipPort + 1,
    },
  });

  const media = new RtpRelay({
    bindAddress: config.bindAddress,
    advertisedAddress: isIP(config.publicHost) ? config.publicHost : config.bindAddress,
    portMin: config.rtpPorts.low,
    portMax: config.rtpPorts.high,
  });
  const sip = new SipEdge({
    bindAddress: config.bindAddress,
    publicHost: config.publicHost,
    sipDomain: config.sipDomain,
    sipPort: config.sipPort,
    sipTlsPort: config.sipTlsPort ?? config.sipPort + 1,
    tls,
    nodeId: config.nodeId,
    secret,
    digestAlgorithms: config.sipDigestAlgorithms,
    logger,
    services,
    media,
    billing: new CallBilling({
      accounts: services.accounts,
      rating: services.rating,
      credit: services.creditControl,
      cdrs: services.cdrs,
      nodeId: config.nodeId,
    }),
  });
  media.onTeardown((event) => {
    logger.info({ callId: event.callId, reason: event.reason }, "media ended the call");
    sip.hangupCall(event.callId, "system-media");
  });

  // The jobs part of `zaqros start`: retention daily (first a minute after start), and the legal
  // documents reloaded hourly so a version another node published is known before it takes effect.
  const jobs = new JobScheduler(
    [
      {
        name: "retention",
        everyMs: 24 * 60 * 60 * 1000,
        firstAfterMs: 60 * 1000,
        run: () => runRetentionJob({ ...services, logger }, { dryRun: false }),
      },
      // Erasures whose cooling-off ended, archives left building (e.g. by a restart), expired downloads.
      {
        name: "privacy-requests",
        everyMs: 10 * 60 * 1000,
        firstAfterMs: 30 * 1000,
        run: () => services.privacy.runDue(),
      },
      {
        name: "legal-refresh",
        everyMs: 60 * 60 * 1000,
        firstAfterMs: 60 * 60 * 1000,
        run: () => services.legal.refresh(),
      },
    ],
    logger,
  );

  let stopping: Promise<void> | undefined;
  return {
    config,
    logger,
    database,
    services,
    http,
    sip,
    media,
    async start() {
      await services.legal.refresh();
      jobs.start();
      await sip.start();
      const plainUrl = `http://${hostForUrl(config.publicHost)}:${config.httpPort}/`;
      if (!servers || httpsPort === undefined) {
        await http.listen({ host: config.bindAddress, port: config.httpPort });
        logger.info({ portalUrl: plainUrl, database: database.dialect }, "Zaqros is running");
        return { portalUrl: plainUrl };
      }
      await http.listen({ host: config.bindAddress, port: httpsPort });
      await servers.listenPlain(config.bindAddress, config.httpPort);
      const httpsUrl = `https://${hostForUrl(config.publicHost)}:${httpsPort}/`;
      // Plain HTTP answers this machine only; anyone else is sent to HTTPS.
      const portalUrl =
        isLoopback(config.publicHost) || config.publicHost === "localhost" ? plainUrl : httpsUrl;
      logger.info(
        { portalUrl, httpsUrl, selfSignedCertificate: tls.selfSigned, database: database.dialect },
        "Zaqros is running",
      );
      return { portalUrl, httpsUrl };
    },
    stop() {
      stopping ??= (async () => {
        logger.info("shutting down");
        await jobs.stop();
        await sip.stop();
        media.close();
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
          servers?.closeAllConnections();
        }
        await database.close();
        logger.info("stopped");
        logger.flush();
      })();
      return stopping;
    },
  };
}

/** The portal's address in mail: HTTPS unless the public host is this machine or HTTPS is off. */
function portalUrlOf(config: Pick<Config, "publicHost" | "httpPort" | "httpsPort">): string {
  const httpsPort = effectiveHttpsPort(config);
  const local = isLoopback(config.publicHost) || config.publicHost === "localhost";
  if (httpsPort !== undefined && !local) return `https://${hostForUrl(config.publicHost)}:${httpsPort}`;
  return `http://${hostForUrl(config.publicHost)}:${config.httpPort}`;
}

function privacyOptionsOf(config: Config): Partial<PrivacyPolicyOptions> {
  return {
    erasureCoolingOffDays: config.erasureCoolingOffDays,
    exportTtlHours: config.privacyExportTtlHours,
    exportInlineRowLimit: config.privacyExportInlineRows,
  };
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

export interface DataLifecycleOptions {
  billingWindowMonths?: number;
  legalNoticeDays?: number;
  analyticsMinGroup?: number;
}

function dataLifecycleOf(config: Config): DataLifecycleOptions {
  return {
    billingWindowMonths: config.billingWindowMonths,
    legalNoticeDays: config.legalNoticeDays,
    analyticsMinGroup: config.analyticsMinGroup,
  };
}
