import type { ColumnDeclaration, Inventory } from "./inventory.types.ts";

/**
 * The personal-data inventory: every column of every table, what it holds, why, on which legal
 * basis, for how long, and what erasure does to it. Export, erasure and retention read this;
 * no other list of personal fields exists. A test fails when the database has a column that is
 * not declared here, or this declares one the database lacks.
 */

const ACCOUNT_GRACE_DAYS = 7 * 365;

const accountData = (purpose: string, erasure: ColumnDeclaration["erasure"]): ColumnDeclaration => ({
  category: "account",
  purpose,
  legalBasis: "contract",
  retention: { kind: "account-lifetime", graceDays: ACCOUNT_GRACE_DAYS },
  erasure,
});

const system = (purpose: string): ColumnDeclaration => ({
  category: "none",
  purpose,
  legalBasis: "legitimate-interest",
  retention: { kind: "system" },
  erasure: { action: "none" },
});

export const INVENTORY: Inventory = {
  accounts: {
    describes: "A customer's billing account and portal identity.",
    subject: "id",
    columns: {
      id: accountData("Identifies the account in every other record.", {
        action: "pseudonymise",
        how: "The row keeps its id so retained billing records stay consistent; nothing links it to a person.",
      }),
      name: accountData("Addressing the customer and invoices.", { action: "delete" }),
      email: accountData("Signing in, receipts and service notices.", { action: "delete" }),
      phone: accountData("Contacting the customer about their account.", { action: "delete" }),
      password_hash: {
        category: "credentials",
        purpose: "Authenticating the customer (a one-way argon2id hash, never the password).",
        legalBasis: "contract",
        retention: { kind: "account-lifetime", graceDays: 0 },
        erasure: { action: "delete" },
      },
      status: accountData("Whether the account may use the service.", { action: "none" }),
      country: accountData("Reading national phone numbers and taxes.", { action: "none" }),
      currency: accountData("Billing in the customer's currency.", { action: "none" }),
      created_at: accountData("Account history and accounting periods.", { action: "none" }),
      updated_at: accountData("Account history.", { action: "none" }),
    },
  },
  kysely_migration: {
    describes: "One applied database migration (schema bookkeeping).",
    subject: undefined,
    columns: {
      name: system("Which schema migration ran."),
      timestamp: system("When it ran."),
    },
  },
  kysely_migration_lock: {
    describes: "The lock that keeps two nodes from migrating at once.",
    subject: undefined,
    columns: {
      id: system("Lock identity."),
      is_locked: system("Whether a migration is running."),
    },
  },
};
