import type { ColumnType, Generated } from "kysely";

/**
 * Table types as the application sees them. Times are ISO-8601 UTC strings on both dialects
 * (stored as TEXT in SQLite, timestamptz in PostgreSQL and read back as strings).
 */
export interface AccountsTable {
  id: string;
  name: string;
  email: string;
  /** E.164, e.g. +15551234567. */
  phone: string | null;
  /** argon2id encoded hash; null until a portal password is set. */
  password_hash: string | null;
  status: ColumnType<AccountStatus, AccountStatus | undefined, AccountStatus>;
  /** ISO 3166-1 alpha-2 country used to read national numbers. */
  country: string;
  /** ISO 4217 currency of the prepaid balance. */
  currency: string;
  /** E.164 number shown as caller ID by default; one of the account's numbers. */
  caller_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The retail rate plan the account's calls are rated by (billing owns this column). */
  plan_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Micro-units; a warning is recorded when the balance falls below it (billing owns this column). */
  low_balance_threshold: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: ColumnType<string, string | undefined, never>;
  updated_at: ColumnType<string, string | undefined, string>;
  /** When the customer proved the email address is theirs; null means calls are not allowed yet (identity owns this column). */
  email_verified_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Base32 TOTP secret (RFC 6238); set at two-factor setup (identity owns this column). */
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** When two-factor sign-in was switched on; null means off (identity owns this column). */
  totp_enabled_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** The last 30-second step whose code was accepted, so no code works twice (identity owns this column). */
  totp_last_step: ColumnType<number | null, number | null | undefined, number | null>;
}

export type AccountStatus = "active" | "suspended" | "closed";

/** A SQL boolean kept as 0/1 so both dialects read it the same. */
export type Flag = 0 | 1;

export interface DevicesTable {
  id: string;
  account_id: string;
  username: string;
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
  label: string | null;
  created_at: string;
}

export interface RegistrationsTable {
  id: string;
  device_id: string;
  account_id: string;
  contact_uri: string;
  source_transport: string;
  source_address: string;
  source_port: number;
  connection_id: string | null;
  node_id: string;
  call_id: string;
  cseq: number;
  q: number;
  user_agent: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

export interface CarriersTable {
  id: string;
  name: string;
  host: string;
  port: number;
  transport: "udp" | "tcp" | "tls";
  auth_username: string | null;
  auth_password: string | null;
  tech_prefix: string;
  strip_digits: number;
  priority: number;
  channel_limit: number | null;
  currency: string;
  enabled: Flag;
  reachable: Flag;
  probed_at: string | null;
  created_at: string;
  /** Bumped whenever the carrier's deck is replaced, so every node knows to read it again. */
  deck_revision: number;
}

export interface CarrierAddressesTable {
  carrier_id: string;
  address: string;
}

export interface CarrierRoutesTable {
  carrier_id: string;
  prefix: string;
  /** Micro-units per minute. */
  cost_per_minute: number;
  connect_cost: number;
  initial_increment: number;
  subsequent_increment: number;
  description: string | null;
}

export interface NumbersTable {
  e164: string;
  account_id: string;
  created_at: string;
}

export interface RatePlansTable {
  id: string;
  name: string;
  /** ISO 4217; every price of the plan is in micro-units of it. */
  currency: string;
  onnet_price_per_minute: number;
  inbound_price_per_minute: number;
  /** Grows on every change to the plan's rows, so rate caches on every node notice. */
  revision: number;
  created_at: string;
  updated_at: string;
}

export interface RatePlanRatesTable {
  plan_id: string;
  prefix: string;
  /** The row applies to calls starting at or after this instant, until a later row of its prefix. */
  effective_from: string;
  /** Micro-units per minute. */
  price_per_minute: number;
  connect_fee: number;
  initial_increment: number;
  subsequent_increment: number;
  minimum_charge: number;
}

export interface BalancesTable {
  account_id: string;
  /** Micro-units; kept in step with ledger_entries in the same transaction. */
  balance: number;
  currency: string;
  updated_at: string;
}

export type LedgerEntryKind = "topup" | "call_charge" | "refund" | "adjustment" | "reversal";

export interface LedgerEntriesTable {
  id: Generated<number>;
  account_id: string;
  kind: LedgerEntryKind;
  /** Signed micro-units: credits positive, charges negative. */
  amount: number;
  balance_after: number;
  currency: string;
  reason: string | null;
  /** Who made the entry: `system`, `cli:<user>`, `staff:<id>`, `rerate:<run>`... */
  actor: string;
  /** Unique per kind: the CDR, payment or rerate run the entry is for. */
  reference: string | null;
  created_at: string;
}

export interface BalanceWarningsTable {
  id: string;
  account_id: string;
  threshold: number;
  balance: number;
  currency: string;
  ledger_entry_id: number;
  created_at: string;
  /** Set once a notifier has told the customer. */
  notified_at: string | null;
}

export type CallDirection = "outbound" | "inbound" | "onnet";

export interface CallsInProgressTable {
  call_id: string;
  account_id: string;
  node_id: string;
  device_id: string | null;
  direction: CallDirection;
  source: string;
  destination: string;
  carrier_id: string | null;
  /** JSON of the rate the call was admitted with. */
  rate: string;
  /** Micro-units held against the balance for this call. */
  reserved: number;
  /** Seconds of talk time after answer the reservation pays for. */
  covered_seconds: number;
  started_at: string;
  answered_at: string | null;
  last_heartbeat_at: string;
}

export interface CdrsTable {
  id: string;
  call_id: string;
  account_id: string;
  device_id: string | null;
  direction: CallDirection;
  /** E.164 */
  source: string;
  /** E.164 */
  destination: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  duration_seconds: number;
  billed_seconds: number;
  /** Micro-units of currency. */
  cost: number;
  currency: string;
  carrier_id: string | null;
  /** The final SIP status; null when none was ever sent (the node died first). */
  sip_status: number | null;
  hangup_by: string;
  node_id: string;
  plan_id: string | null;
  rate_prefix: string | null;
}

export interface Database {
  accounts: AccountsTable;
  devices: DevicesTable;
  registrations: RegistrationsTable;
  carriers: CarriersTable;
  carrier_addresses: CarrierAddressesTable;
  carrier_routes: CarrierRoutesTable;
  numbers: NumbersTable;
  rate_plans: RatePlansTable;
  rate_plan_rates: RatePlanRatesTable;
  balances: BalancesTable;
  ledger_entries: LedgerEntriesTable;
  balance_warnings: BalanceWarningsTable;
  calls_in_progress: CallsInProgressTable;
  cdrs: CdrsTable;
  api_keys: ApiKeysTable;
  consents: ConsentsTable;
  identity_tokens: IdentityTokensTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  recovery_codes: RecoveryCodesTable;
  connection_log: ConnectionLogTable;
  mail_outbox: MailOutboxTable;
  legal_documents: LegalDocumentsTable;
  payments: PaymentsTable;
  payment_events: PaymentEventsTable;
  privacy_requests: PrivacyRequestsTable;
  privacy_request_events: PrivacyRequestEventsTable;
  privacy_exports: PrivacyExportsTable;
  privacy_preferences: PrivacyPreferencesTable;
}

/** Acceptance of one version of the Terms or the Privacy Policy. */
export interface ConsentsTable {
  id: string;
  account_id: string;
  /** `terms` or `privacy` (accepted at sign-up), or a consent purpose such as `product-news-email`. */
  document: string;
  version: string;
  accepted_at: string;
  /** The words the customer agreed to, for consents asked for in the portal (privacy owns this column). */
  notice_text: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the consent was withdrawn; it stops counting at once (privacy owns this column). */
  withdrawn_at: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A single-use link token (email verification, password reset), kept only as its SHA-256. */
export interface IdentityTokensTable {
  token_hash: string;
  account_id: string;
  purpose: "verify-email" | "password-reset" | "change-email";
  /** For change-email: the address that becomes the account's once the link is used. */
  new_email: string | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

/** A portal session; the cookie value is kept only as its SHA-256. */
export interface SessionsTable {
  id_hash: string;
  /** A random id the customer uses to name the session (never the cookie value). */
  public_id: string;
  account_id: string;
  created_at: string;
  last_seen_at: string;
  /** Last time the password was proven in this session (re-authentication). */
  authenticated_at: string;
  /** Absolute end of the session. */
  expires_at: string;
  ip_address: string | null;
  user_agent: string | null;
}

/** Failed sign-ins counted per account (`account:<id>`) and per address (`address:<ip>`). */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  locked_until: string | null;
  updated_at: string;
}

export interface RecoveryCodesTable {
  code_hash: string;
  account_id: string;
  used_at: string | null;
  created_at: string;
}

export interface ConnectionLogTable {
  id: string;
  account_id: string;
  event: string;
  ip_address: string | null;
  user_agent: string | null;
  country: string | null;
  city: string | null;
  /** The API key used, for API use; null for sign-ins and other portal events. */
  api_key_id: string | null;
  created_at: string;
}

/** Mail kept on this machine when no SMTP server is configured. */
export interface MailOutboxTable {
  id: string;
  recipient: string;
  subject: string;
  body: string;
  created_at: string;
}

/** A customer's API key; the secret itself is never stored, only its SHA-256 hash. */
export interface ApiKeysTable {
  id: string;
  account_id: string;
  name: string;
  scope: "read" | "read-write";
  /** The first characters of the secret, shown in listings. */
  prefix: string;
  /** Hex SHA-256 of the secret. */
  secret_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export type GeneratedId = Generated<string>;

/** Every status a top-up can have (see payments.types.ts for how one leads to another). */
export const PAYMENT_STATUSES = [
  "created",
  "pending",
  "completed",
  "denied",
  "cancelled",
  "failed",
  "flagged",
  "partially_refunded",
  "refunded",
  "reversed",
] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * A balance top-up through PayPal: only the references, amount, currency, status and times
 * (privacy policy §2); never card data or who paid.
 */
export interface PaymentsTable {
  id: string;
  account_id: string;
  /** PayPal's order id; null until PayPal has answered the order request. */
  order_id: string | null;
  /** PayPal's capture id; unique, so one capture credits once. */
  capture_id: string | null;
  /** Micro-units asked for (and, when credited, credited). */
  amount: number;
  currency: string;
  status: PaymentStatus;
  /** Micro-units refunded or reversed so far. */
  refunded_amount: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
  /** When the balance was credited; null while it has not been. */
  completed_at: string | null;
}

/** A PayPal webhook event handled once: its id is the primary key. */
export interface PaymentEventsTable {
  event_id: string;
  payment_id: string | null;
  /** The account of that top-up, for export and erasure. */
  account_id: string | null;
  event_type: string;
  /** The capture or refund the event is about. */
  resource_id: string | null;
  /** What handling the event did: credited, recorded, flagged, debited, ignored... */
  outcome: string;
  received_at: string;
}

/** A data-subject request (privacy policy §9) and where it stands; kept after erasure as proof it was handled. */
export interface PrivacyRequestsTable {
  id: string;
  /** Null for a child report naming no known account. */
  account_id: string | null;
  kind: "access" | "erasure" | "restriction" | "objection" | "rectification" | "child-report";
  status: "received" | "cooling-off" | "awaiting-confirmation" | "completed" | "cancelled" | "refused";
  received_at: string;
  /** One month from receipt; two more once extended (GDPR Art. 12(3)). */
  due_at: string;
  extended_at: string | null;
  /** Erasure: when the cooling-off period ends and the erasure runs. */
  execute_after: string | null;
  closed_at: string | null;
  /** What the customer or reporter wrote. */
  details: string | null;
  /** Child report: who reported, to answer them. */
  reporter_email: string | null;
  /** JSON: what the request did (erasure: what was kept, why, until when). */
  result: string | null;
}

export interface PrivacyRequestEventsTable {
  id: string;
  request_id: string;
  account_id: string | null;
  at: string;
  /** `customer`, `system`, or `staff:<name>`. */
  actor: string;
  event: string;
  note: string | null;
}

/** An access archive (ZIP) built for a customer; downloadable with the session until it expires. */
export interface PrivacyExportsTable {
  id: string;
  account_id: string;
  request_id: string;
  status: "building" | "ready" | "failed";
  created_at: string;
  ready_at: string | null;
  expires_at: string | null;
  size_bytes: number | null;
  archive: Buffer | null;
}

/** Restriction (GDPR Art. 18) and objection (Art. 21): each stops non-essential processing while set. */
export interface PrivacyPreferencesTable {
  account_id: string;
  restricted_at: string | null;
  objected_at: string | null;
  updated_at: string;
}

/** One version of the Terms or the Privacy Policy (legal owns this table). */
export interface LegalDocumentsTable {
  document: "terms" | "privacy";
  version: string;
  title: string;
  body: string;
  effective_at: string;
  published_at: string;
  material: Flag;
  summary: string | null;
  notified_at: string | null;
  notified_count: number | null;
}
