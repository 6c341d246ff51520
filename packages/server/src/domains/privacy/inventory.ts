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

const deviceSecret = (purpose: string): ColumnDeclaration => ({
  category: "credentials",
  purpose,
  legalBasis: "contract",
  retention: { kind: "account-lifetime", graceDays: 0 },
  erasure: { action: "delete" },
});

const connection = (purpose: string): ColumnDeclaration => ({
  category: "connection",
  purpose,
  legalBasis: "contract",
  retention: { kind: "fixed", days: 0, from: "expires_at" },
  erasure: { action: "delete" },
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
      caller_id: accountData("The number shown to people the customer calls.", { action: "delete" }),
      created_at: accountData("Account history and accounting periods.", { action: "none" }),
      updated_at: accountData("Account history.", { action: "none" }),
    },
  },
  devices: {
    describes: "A SIP phone or softphone of the customer, with its digest credentials.",
    subject: "account_id",
    columns: {
      id: accountData("Identifies the phone in registrations and call records.", { action: "delete" }),
      account_id: accountData("Which customer the phone belongs to.", { action: "delete" }),
      username: accountData("The SIP user name the phone signs in with.", { action: "delete" }),
      realm: accountData("The SIP domain the credentials are valid for.", { action: "delete" }),
      ha1_md5: deviceSecret("Verifying the phone's digest response (MD5); never the password itself."),
      ha1_sha256: deviceSecret("Verifying the phone's digest response (SHA-256); never the password itself."),
      label: accountData("The name the customer gave the phone.", { action: "delete" }),
      created_at: accountData("When the phone was added.", { action: "delete" }),
    },
  },
  registrations: {
    describes: "Where a registered phone can be reached now (its contact and network address).",
    subject: "account_id",
    columns: {
      id: connection("Identifies the registration."),
      device_id: connection("Which phone registered."),
      account_id: connection("Which customer the phone belongs to."),
      contact_uri: connection("The address the phone asked to be called at."),
      source_transport: connection("The transport the phone registered over (UDP, TCP, TLS)."),
      source_address: connection("The IP address the phone registered from, to reach it behind NAT."),
      source_port: connection("The port the phone registered from, to reach it behind NAT."),
      connection_id: connection("The open TCP/TLS connection to reuse for calls to the phone."),
      node_id: connection("The server node holding that connection."),
      call_id: connection("Orders registration refreshes (RFC 3261 §10.3)."),
      cseq: connection("Orders registration refreshes (RFC 3261 §10.3)."),
      q: connection("The phone's preference among the customer's phones."),
      user_agent: connection("The phone's software, for support and fraud checks."),
      expires_at: connection("When the registration ends unless refreshed."),
      created_at: connection("When the phone first registered."),
      updated_at: connection("When the phone last refreshed."),
    },
  },
  carriers: {
    describes: "An upstream carrier calls are routed through (operator data, about no customer).",
    subject: undefined,
    columns: Object.fromEntries(
      [
        "id",
        "name",
        "host",
        "port",
        "transport",
        "auth_username",
        "auth_password",
        "tech_prefix",
        "strip_digits",
        "priority",
        "channel_limit",
        "currency",
        "enabled",
        "reachable",
        "probed_at",
        "created_at",
      ].map((column) => [column, system("Routing calls to the carrier.")]),
    ),
  },
  carrier_addresses: {
    describes: "An IP address a carrier sends calls from.",
    subject: undefined,
    columns: {
      carrier_id: system("Which carrier."),
      address: system("Accepting calls only from the carrier's addresses."),
    },
  },
  carrier_routes: {
    describes: "One prefix of a carrier's buy-rate deck.",
    subject: undefined,
    columns: Object.fromEntries(
      [
        "carrier_id",
        "prefix",
        "cost_per_minute",
        "connect_cost",
        "initial_increment",
        "subsequent_increment",
        "description",
      ].map((column) => [column, system("Least-cost routing.")]),
    ),
  },
  numbers: {
    describes: "A phone number (DID) the customer owns.",
    subject: "account_id",
    columns: {
      e164: accountData("Routing incoming calls to the customer.", { action: "delete" }),
      account_id: accountData("Which customer owns the number.", { action: "delete" }),
      created_at: accountData("When the number was assigned.", { action: "delete" }),
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
