import { isIP } from "node:net";
import { z } from "zod";

/**
 * Every configuration key Zaqros reads: its environment variable, type, default for one machine,
 * whether it is a secret (masked by `zaqros config`), and one line of documentation.
 *
 * The same names are accepted in the optional JSON config file (`ZAQROS_CONFIG_FILE`);
 * the environment wins over the file.
 */
export interface ConfigKey<T> {
  readonly env: string;
  readonly doc: string;
  readonly secret: boolean;
  readonly schema: z.ZodType<T>;
  /** Default when neither the environment nor the file sets the key; undefined means "unset". */
  readonly fallback: string | undefined;
}

function key<T>(
  env: string,
  schema: z.ZodType<T>,
  fallback: string | undefined,
  doc: string,
  secret = false,
) {
  return { env, schema, fallback, doc, secret } satisfies ConfigKey<T>;
}

const port = z.coerce
  .number({ message: "must be a number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

const portRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, "must be a range such as 20000-29999")
  .transform((text, ctx) => {
    const [low, high] = text.split("-").map(Number) as [number, number];
    if (low < 1024 || high > 65535 || low >= high) {
      ctx.addIssue({ code: "custom", message: "must be a range of ports between 1024 and 65535, low-high" });
      return z.NEVER;
    }
    if (low % 2 !== 0) {
      ctx.addIssue({ code: "custom", message: "must start on an even port (RTP uses even ports, RTCP odd)" });
      return z.NEVER;
    }
    return { low, high };
  });

const host = z
  .string()
  .min(1, "must not be empty")
  .regex(/^[A-Za-z0-9.:[\]-]+$/, "must be a host name or an IP address");

const databaseUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
  .optional();

/** proxy-addr's names for address ranges, accepted in ZAQROS_TRUST_PROXY beside addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isAddressOrCidr(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = "", bits, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const trustedProxies = z
  .string()
  .transform((text, ctx) => {
    const entries = text
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "");
    const wrong = entries.find((entry) => !isAddressOrCidr(entry));
    if (wrong !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `must list addresses or CIDRs such as 10.0.0.5,192.168.0.0/16 (${JSON.stringify(wrong)} is neither)`,
      });
      return z.NEVER;
    }
    return entries;
  })
  .optional()
  .transform((entries) => entries ?? []);

const httpsPort = z
  .string()
  .transform((text, ctx) => {
    if (text === "off") return "off" as const;
    const value = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= 1 && value <= 65535)) {
      ctx.addIssue({ code: "custom", message: "must be a port number between 1 and 65535, or off" });
      return z.NEVER;
    }
    return value;
  })
  .optional();

/** A decimal amount such as 10 or 10.50, read as micro-units without floating point. */
const decimalAmount = z
  .string()
  .regex(/^\d{1,9}(\.\d{1,6})?$/, "must be a decimal amount such as 5 or 10.50")
  .transform((text) => {
    const [whole = "0", fraction = ""] = text.split(".");
    return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, "0"));
  });

const positiveMs = z.coerce.number({ message: "must be a number" }).int().min(0).max(3_600_000);

export const CONFIG_KEYS = {
  dataDir: key(
    "ZAQROS_DATA_DIR",
    z.string().min(1),
    "./data",
    "Folder for the SQLite database, keys and local mail.",
  ),
  databaseUrl: key(
    "DATABASE_URL",
    databaseUrl,
    undefined,
    "PostgreSQL connection URL; unset means SQLite at <data dir>/zaqros.db.",
    true,
  ),
  bindAddress: key(
    "ZAQROS_BIND_ADDRESS",
    host,
    "127.0.0.1",
    "Address the HTTP and SIP listeners bind to (0.0.0.0 for every interface).",
  ),
  publicHost: key(
    "ZAQROS_PUBLIC_HOST",
    host,
    "127.0.0.1",
    "Host name or address that phones and browsers use to reach this server.",
  ),
  sipDomain: key(
    "ZAQROS_SIP_DOMAIN",
    host,
    "zaqros.local",
    "SIP domain and digest realm of device credentials; changing it invalidates every device password.",
  ),
  sipDigestAlgorithms: key(
    "ZAQROS_SIP_DIGEST_ALGORITHMS",
    z
      .string()
      .regex(/^(SHA-256|MD5)(,(SHA-256|MD5))?$/, "must be SHA-256,MD5 or MD5,SHA-256 or one of them")
      .transform((text) => text.split(",") as Array<"SHA-256" | "MD5">),
    "SHA-256,MD5",
    "Digest challenges offered to phones, in order. Some phones read only the first challenge (SIPp: put MD5 first); some give up when any challenge is SHA-256 (baresip 1.0: MD5 alone).",
  ),
  nodeId: key(
    "ZAQROS_NODE_ID",
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1 to 64 letters, digits, dots, dashes or underscores"),
    "node-1",
    "Name of this node among several sharing one database (registrations remember which node holds a connection).",
  ),
  httpPort: key(
    "ZAQROS_HTTP_PORT",
    port,
    "8080",
    "TCP port of the portal and REST API over plain HTTP: answers this machine (loopback) and health probes; other clients are redirected to HTTPS while it is on.",
  ),
  httpsPort: key(
    "ZAQROS_HTTPS_PORT",
    httpsPort,
    undefined,
    "TCP port of the portal and REST API over HTTPS; unset means 8443 beside the default HTTP port 8080, else the HTTP port plus one; off for none (a TLS-terminating proxy in front).",
  ),
  trustProxy: key(
    "ZAQROS_TRUST_PROXY",
    trustedProxies,
    undefined,
    "Comma-separated addresses or CIDRs of TLS-terminating proxies whose X-Forwarded-For/-Proto/-Host are believed; unset trusts none.",
  ),
  sipPort: key("ZAQROS_SIP_PORT", port, "5060", "UDP and TCP port for SIP signalling."),
  sipTlsPort: key(
    "ZAQROS_SIP_TLS_PORT",
    port.optional(),
    undefined,
    "TCP port for SIP over TLS; unset means the SIP port plus one.",
  ),
  tlsCertFile: key(
    "ZAQROS_TLS_CERT_FILE",
    z.string().min(1).optional(),
    undefined,
    "PEM certificate (chain) for HTTPS, SIP over TLS and WSS; unset means a self-signed one kept in the data dir.",
  ),
  tlsKeyFile: key(
    "ZAQROS_TLS_KEY_FILE",
    z.string().min(1).optional(),
    undefined,
    "PEM private key of ZAQROS_TLS_CERT_FILE.",
  ),
  rtpPorts: key(
    "ZAQROS_RTP_PORTS",
    portRange,
    "20000-29999",
    "Port range the media relay allocates RTP/RTCP pairs from.",
  ),
  logLevel: key(
    "ZAQROS_LOG_LEVEL",
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be one of fatal, error, warn, info, debug, trace, silent",
    }),
    "info",
    "Least severe log level written.",
  ),
  logFormat: key(
    "ZAQROS_LOG_FORMAT",
    z.enum(["auto", "json", "pretty"], { message: "must be auto, json or pretty" }),
    "auto",
    "json for machines, pretty for a terminal; auto picks pretty when writing to a terminal.",
  ),
  signallingCacheMs: key(
    "ZAQROS_SIGNALLING_CACHE_MS",
    z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(0).max(60_000),
    "1000",
    "How long REGISTER and call admission reuse what they read of devices, accounts, numbers and carriers (ms). Changes made on this node apply at once; changes from another node or the CLI within this time. 0 reads the database every time.",
  ),
  shutdownTimeoutMs: key(
    "ZAQROS_SHUTDOWN_TIMEOUT_MS",
    positiveMs,
    "10000",
    "How long a graceful shutdown waits for work in flight before it closes anyway.",
  ),
  secret: key(
    "ZAQROS_SECRET",
    z.string().min(32, "must be at least 32 characters").optional(),
    undefined,
    "Server secret for signing nonces and tokens; unset means one is generated and kept in the data dir.",
    true,
  ),
  smtpUrl: key(
    "ZAQROS_SMTP_URL",
    z
      .string()
      .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
      .optional(),
    undefined,
    "SMTP server for outgoing mail (smtp[s]://user:pass@host:port); unset keeps mail in the local outbox (`zaqros mail list`).",
    true,
  ),
  mailFrom: key(
    "ZAQROS_MAIL_FROM",
    z.string().min(3, "must be an address such as Zaqros <noreply@example.com>"),
    "Zaqros <noreply@zaqros.local>",
    "Sender address of mail Zaqros sends.",
  ),
  paypalApiUrl: key(
    "ZAQROS_PAYPAL_API_URL",
    z
      .string()
      .regex(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, "must be a base URL such as https://api-m.paypal.com")
      .optional(),
    undefined,
    "PayPal REST API base URL: https://api-m.paypal.com (live), https://api-m.sandbox.paypal.com, or `zaqros dev paypal-sandbox`; unset means payments are not configured.",
  ),
  paypalClientId: key(
    "ZAQROS_PAYPAL_CLIENT_ID",
    z.string().min(1).max(200).optional(),
    undefined,
    "Client id of the PayPal REST app; unset means payments are not configured.",
  ),
  paypalClientSecret: key(
    "ZAQROS_PAYPAL_CLIENT_SECRET",
    z.string().min(1).max(200).optional(),
    undefined,
    "Secret of the PayPal REST app; unset means payments are not configured.",
    true,
  ),
  paypalWebhookId: key(
    "ZAQROS_PAYPAL_WEBHOOK_ID",
    z
      .string()
      .regex(
        /^[A-Za-z0-9-]{1,50}$/,
        "must be the id PayPal gave the webhook, such as 8PT597110X687430LKGECATA",
      )
      .optional(),
    undefined,
    "Id of the PayPal webhook that posts to <public URL>/webhooks/paypal, used to verify each notification; unset means payments are not configured.",
  ),
  topUpMinimum: key("ZAQROS_TOPUP_MIN", decimalAmount, "5.00", "Smallest top-up, in the account's currency."),
  topUpMaximum: key(
    "ZAQROS_TOPUP_MAX",
    decimalAmount,
    "500.00",
    "Largest single top-up, in the account's currency.",
  ),
  topUpDailyLimit: key(
    "ZAQROS_TOPUP_DAILY_LIMIT",
    decimalAmount,
    "1000.00",
    "Most one account may top up in a UTC day, in the account's currency.",
  ),
  erasureCoolingOffDays: key(
    "ZAQROS_ERASURE_COOLING_OFF_DAYS",
    z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(0).max(30),
    "14",
    "Days between a customer's erasure request and its execution, during which they can cancel it (0 to 30).",
  ),
  privacyExportTtlHours: key(
    "ZAQROS_PRIVACY_EXPORT_TTL_HOURS",
    z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(1).max(720),
    "72",
    "Hours a customer's data archive can be downloaded before it is deleted.",
  ),
  privacyExportInlineRows: key(
    "ZAQROS_PRIVACY_EXPORT_INLINE_ROWS",
    z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(0),
    "20000",
    "Data archives of more records than this are built in the background, with a mail when ready.",
  ),
  staffApiKey: key(
    "ZAQROS_STAFF_API_KEY",
    z.string().min(32, "must be at least 32 characters").optional(),
    undefined,
    "Operator key for the staff API (/api/v1/staff/privacy: privacy requests); unset leaves the staff API off.",
    true,
  ),
  billingWindowMonths: key(
    "ZAQROS_BILLING_WINDOW_MONTHS",
    z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(1).max(120),
    "13",
    "Months a call record keeps its numbers and account (the billing and audit window); then the retention job anonymises it.",
  ),
  legalNoticeDays: key(
    "ZAQROS_LEGAL_NOTICE_DAYS",
    z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(0).max(365),
    "30",
    "Days a material change to the Terms or Privacy Policy is announced (email and portal notice) before it takes effect.",
  ),
  analyticsMinGroup: key(
    "ZAQROS_ANALYTICS_MIN_GROUP",
    z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(2).max(100000),
    "20",
    "Usage analytics show a group (destination country and month) only when at least this many customers are in it.",
  ),
} as const;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;
