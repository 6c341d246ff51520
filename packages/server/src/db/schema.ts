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
  created_at: ColumnType<string, string | undefined, never>;
  updated_at: ColumnType<string, string | undefined, string>;
}

export type AccountStatus = "active" | "suspended" | "closed";

export interface Database {
  accounts: AccountsTable;
}

export type GeneratedId = Generated<string>;
