import type { AccountStatus } from "../../db/schema.ts";

export type { AccountStatus };

export interface Account {
  id: string;
  name: string;
  email: string;
  /** E.164 */
  phone: string | null;
  status: AccountStatus;
  country: string;
  currency: string;
  /** E.164 number shown to callees by default; one of the account's numbers. */
  callerId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What a customer may correct themselves; a property left out stays as it is. */
export interface ProfileChanges {
  name?: string | undefined;
  /** Any form the account country's numbering plan allows, or +E.164; null removes the number. */
  phone?: string | null | undefined;
}

export interface NewAccount {
  name: string;
  email: string;
  /** Any form the country's numbering plan allows; stored as E.164. */
  phone?: string | undefined;
  /** ISO 3166-1 alpha-2, default US. */
  country?: string | undefined;
  /** ISO 4217, default USD. */
  currency?: string | undefined;
}
