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
  created_at: ColumnType<string, string | undefined, never>;
  updated_at: ColumnType<string, string | undefined, string>;
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

export interface Database {
  accounts: AccountsTable;
  devices: DevicesTable;
  registrations: RegistrationsTable;
  carriers: CarriersTable;
  carrier_addresses: CarrierAddressesTable;
  carrier_routes: CarrierRoutesTable;
  numbers: NumbersTable;
}

export type GeneratedId = Generated<string>;
