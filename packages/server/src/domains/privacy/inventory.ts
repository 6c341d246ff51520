import type { ColumnDeclaration, ExpiryAction, Inventory } from "./inventory.types.ts";

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

/** Call records are kept 13 months from the call's start by default (privacy policy §7). */
const CDR_RETENTION_DAYS = 396;
const BILLING_HOLD =
  "Billing records: kept for tax, accounting, audit and dispute resolution (privacy policy §7).";

/** After the billing and audit window (config, default 13 months) a record is anonymised, not deleted. */
const callRecord = (
  purpose: string,
  erasure: ColumnDeclaration["erasure"],
  atExpiry: ExpiryAction = "keep",
): ColumnDeclaration => ({
  category: "usage",
  purpose,
  legalBasis: "contract",
  retention: { kind: "fixed", days: CDR_RETENTION_DAYS, from: "started_at", window: "billing", atExpiry },
  erasure,
});
const heldCallRecord = (purpose: string, atExpiry: ExpiryAction = "keep") =>
  callRecord(purpose, { action: "keep", hold: BILLING_HOLD }, atExpiry);

const callInProgress = (purpose: string): ColumnDeclaration => ({
  category: "usage",
  purpose,
  legalBasis: "contract",
  // Ended calls leave this table at once; a row silent for a day is an orphan recovery missed.
  retention: { kind: "fixed", days: 1, from: "last_heartbeat_at" },
  erasure: {
    action: "keep",
    hold: "A call in progress is charged and becomes a call record before its row goes.",
  },
});

const ledgerRecord = (purpose: string): ColumnDeclaration => ({
  category: "payment",
  purpose,
  legalBasis: "legal-obligation",
  retention: { kind: "account-lifetime", graceDays: ACCOUNT_GRACE_DAYS },
  erasure: { action: "keep", hold: BILLING_HOLD },
});

const ratePlanData = (purpose: string) => system(purpose);

const consentRecord = (purpose: string): ColumnDeclaration => ({
  category: "consent",
  purpose,
  legalBasis: "legal-obligation",
  retention: { kind: "account-lifetime", graceDays: ACCOUNT_GRACE_DAYS },
  erasure: {
    action: "keep",
    hold: "Proof of what the customer agreed to, for disputes (privacy policy §7).",
  },
});

const linkToken = (purpose: string): ColumnDeclaration => ({
  category: "credentials",
  purpose,
  legalBasis: "contract",
  retention: { kind: "fixed", days: 1, from: "expires_at" },
  erasure: { action: "delete" },
});

const sessionData = (purpose: string): ColumnDeclaration => ({
  category: "connection",
  purpose,
  legalBasis: "contract",
  retention: { kind: "fixed", days: 0, from: "expires_at" },
  erasure: { action: "delete" },
});

const throttleData = (purpose: string): ColumnDeclaration => ({
  category: "connection",
  purpose,
  legalBasis: "legitimate-interest",
  retention: { kind: "fixed", days: 1, from: "updated_at" },
  erasure: { action: "delete" },
});

/** Device and connection logs are kept 90 days (privacy policy §7). */
const connectionLog = (purpose: string): ColumnDeclaration => ({
  category: "connection",
  purpose,
  legalBasis: "legitimate-interest",
  retention: { kind: "fixed", days: 90, from: "created_at" },
  erasure: { action: "delete" },
});

const outboxData = (purpose: string): ColumnDeclaration => ({
  category: "account",
  purpose,
  legalBasis: "contract",
  retention: { kind: "fixed", days: 30, from: "created_at" },
  erasure: { action: "delete" },
});

/** Records of data-subject requests are kept as proof they were handled (GDPR Art. 5(2), 12). */
const REQUEST_RECORD_DAYS = 3 * 365;
const requestRecord = (purpose: string, from = "received_at"): ColumnDeclaration => ({
  category: "account",
  purpose,
  legalBasis: "legal-obligation",
  retention: { kind: "fixed", days: REQUEST_RECORD_DAYS, from },
  erasure: {
    action: "keep",
    hold: "The record of a data-subject request is proof that it was handled (GDPR Art. 5(2)); it never holds the data itself.",
  },
});

const archiveData = (purpose: string): ColumnDeclaration => ({
  category: "account",
  purpose,
  legalBasis: "legal-obligation",
  retention: { kind: "fixed", days: 0, from: "expires_at" },
  erasure: { action: "delete" },
});

const preference = (purpose: string): ColumnDeclaration => ({
  category: "consent",
  purpose,
  legalBasis: "legal-obligation",
  retention: { kind: "account-lifetime", graceDays: 0 },
  erasure: { action: "delete" },
});

export const INVENTORY: Inventory = {
  accounts: {
    describes: "A customer's billing account and portal identity.",
    subject: "id",
    dataset: "account",
    columns: {
      id: accountData("Identifies the account in every other record.", {
        action: "pseudonymise",
        how: "The row keeps its id so retained billing records stay consistent; nothing links it to a person.",
        method: "keep-id",
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
      plan_id: accountData("The rate plan the customer's calls are priced by.", { action: "none" }),
      low_balance_threshold: accountData("The balance below which the customer asked to be warned.", {
        action: "delete",
      }),
      created_at: accountData("Account history and accounting periods.", { action: "none" }),
      updated_at: accountData("Account history.", { action: "none" }),
      email_verified_at: accountData("Whether the email address was proven before calls are allowed.", {
        action: "delete",
      }),
      totp_secret: {
        category: "credentials",
        purpose: "Checking two-factor codes from the customer's authenticator app.",
        legalBasis: "contract",
        retention: { kind: "account-lifetime", graceDays: 0 },
        erasure: { action: "delete" },
      },
      totp_enabled_at: accountData("Whether sign-in asks for a two-factor code.", { action: "delete" }),
      totp_last_step: {
        category: "credentials",
        purpose: "Refusing a two-factor code that was already used.",
        legalBasis: "contract",
        retention: { kind: "account-lifetime", graceDays: 0 },
        erasure: { action: "delete" },
      },
    },
  },
  devices: {
    describes: "A SIP phone or softphone of the customer, with its digest credentials.",
    subject: "account_id",
    dataset: "devices",
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
    dataset: "registrations",
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
        "deck_revision",
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
    dataset: "account",
    columns: {
      e164: accountData("Routing incoming calls to the customer.", { action: "delete" }),
      account_id: accountData("Which customer owns the number.", { action: "delete" }),
      created_at: accountData("When the number was assigned.", { action: "delete" }),
    },
  },
  rate_plans: {
    describes: "A retail rate plan customers are put on (operator data, about no customer).",
    subject: undefined,
    columns: Object.fromEntries(
      [
        "id",
        "name",
        "currency",
        "onnet_price_per_minute",
        "inbound_price_per_minute",
        "revision",
        "created_at",
        "updated_at",
      ].map((column) => [column, ratePlanData("Pricing customers' calls.")]),
    ),
  },
  rate_plan_rates: {
    describes: "One prefix of a retail rate plan's deck, from the time it takes effect.",
    subject: undefined,
    columns: Object.fromEntries(
      [
        "plan_id",
        "prefix",
        "effective_from",
        "price_per_minute",
        "connect_fee",
        "initial_increment",
        "subsequent_increment",
        "minimum_charge",
      ].map((column) => [column, ratePlanData("Pricing customers' calls.")]),
    ),
  },
  balances: {
    describes: "A customer's prepaid balance, kept in step with the ledger.",
    subject: "account_id",
    dataset: "ledger",
    columns: {
      account_id: ledgerRecord("Whose balance it is."),
      balance: ledgerRecord("The credit the customer has for calls."),
      currency: ledgerRecord("The currency of the balance."),
      updated_at: ledgerRecord("When the balance last moved."),
    },
  },
  ledger_entries: {
    describes: "One append-only change to a customer's balance: top-up, call charge, refund, adjustment.",
    subject: "account_id",
    dataset: "ledger",
    columns: {
      id: ledgerRecord("Orders the entries of the ledger."),
      account_id: ledgerRecord("Whose balance the entry moved."),
      kind: ledgerRecord("What the entry is: top-up, call charge, refund, adjustment or reversal."),
      amount: ledgerRecord("How much the balance moved."),
      balance_after: ledgerRecord("The balance after the entry, so every balance can be checked."),
      currency: ledgerRecord("The currency of the amount."),
      reason: ledgerRecord("Why an adjustment or refund was made, for the customer and auditors."),
      actor: ledgerRecord("Who made the entry (the system, an operator or staff member)."),
      reference: ledgerRecord("The call record, payment or entry the change is for."),
      created_at: ledgerRecord("When the balance moved."),
    },
  },
  balance_warnings: {
    describes: "A low-balance warning due to (or sent to) a customer.",
    subject: "account_id",
    dataset: "ledger",
    columns: Object.fromEntries(
      [
        ["id", "Identifies the warning."],
        ["account_id", "Whom to warn."],
        ["threshold", "The threshold the balance fell below."],
        ["balance", "The balance the warning reports."],
        ["currency", "The currency of the balance."],
        ["ledger_entry_id", "The ledger entry that crossed the threshold."],
        ["created_at", "When the balance fell below the threshold."],
        ["notified_at", "When the customer was told, so they are told once."],
      ].map(([column, purpose]) => [
        column as string,
        {
          category: "account",
          purpose: purpose as string,
          legalBasis: "contract",
          retention: { kind: "fixed", days: 90, from: "created_at" },
          erasure: { action: "delete" },
        } satisfies ColumnDeclaration,
      ]),
    ),
  },
  calls_in_progress: {
    describes: "A call going on now, with the credit it holds and its last sign of life.",
    subject: "account_id",
    dataset: "cdrs",
    columns: {
      call_id: callInProgress("Identifies the call (its SIP Call-ID)."),
      account_id: callInProgress("Whose credit the call holds."),
      node_id: callInProgress("The server handling the call, to close it if that server dies."),
      device_id: callInProgress("The phone that placed the call."),
      direction: callInProgress("Whether the call goes out, comes in, or stays between our numbers."),
      source: callInProgress("The calling number, for the call record."),
      destination: callInProgress("The called number, for the call record."),
      carrier_id: callInProgress("The carrier carrying the call."),
      rate: callInProgress("The price the call was admitted at."),
      reserved: callInProgress(
        "The credit the call holds, so calls together never spend more than the balance.",
      ),
      covered_seconds: callInProgress("How long the held credit lets the call last."),
      started_at: callInProgress("When the call started."),
      answered_at: callInProgress("When the call was answered: the charge runs from here."),
      last_heartbeat_at: callInProgress("The last sign the call was alive, to charge it if its server dies."),
    },
  },
  cdrs: {
    describes: "A call data record: one call attempt, answered or not, and what it cost.",
    subject: "account_id",
    dataset: "cdrs",
    columns: {
      id: heldCallRecord("Identifies the record in the ledger's call charge."),
      call_id: heldCallRecord(
        "The SIP Call-ID, to match the record with signalling for support.",
        "anonymous-unique",
      ),
      account_id: callRecord(
        "Whose call it was, and who paid.",
        {
          action: "pseudonymise",
          how: "Replaced by a pseudonym shared by the erased account's records and linked to no person.",
          method: "replace-account-link",
        },
        "anonymous",
      ),
      device_id: callRecord("The phone that placed the call.", { action: "delete" }, "clear"),
      direction: heldCallRecord("Whether the call went out, came in, or stayed between our numbers."),
      source: callRecord(
        "The calling number (privacy policy §2).",
        {
          action: "pseudonymise",
          how: "Truncated to its country code and first digits: where the call came from, not who made it.",
          method: "truncate-number",
        },
        "truncate-number",
      ),
      destination: callRecord(
        "The called number (privacy policy §2).",
        {
          action: "pseudonymise",
          how: "Truncated to its country code and first digits: where the call went, not to whom.",
          method: "truncate-number",
        },
        "truncate-number",
      ),
      started_at: heldCallRecord("When the call started."),
      answered_at: heldCallRecord("When the call was answered."),
      ended_at: heldCallRecord("When the call ended."),
      duration_seconds: heldCallRecord("How long the call lasted."),
      billed_seconds: heldCallRecord("The time charged, after billing increments."),
      cost: heldCallRecord("What the call cost."),
      currency: heldCallRecord("The currency of the cost."),
      carrier_id: heldCallRecord("The carrier that carried the call, to reconcile its invoice."),
      sip_status: heldCallRecord("How the call attempt ended in SIP, for support."),
      hangup_by: heldCallRecord("Who ended the call, for support and disputes."),
      node_id: heldCallRecord("The server that handled the call, for support."),
      plan_id: heldCallRecord("The rate plan the call was priced on, for rerating."),
      rate_prefix: heldCallRecord("The deck prefix that priced the call, for rerating.", "truncate-number"),
    },
  },
  consents: {
    describes: "The customer's acceptance of one version of the Terms or the Privacy Policy.",
    subject: "account_id",
    dataset: "consents",
    columns: {
      id: consentRecord("Identifies the acceptance."),
      account_id: consentRecord("Whose acceptance it is."),
      document: consentRecord("Which document was accepted."),
      version: consentRecord("Which version of it was accepted."),
      accepted_at: consentRecord("When it was accepted."),
      notice_text: consentRecord("The words the customer agreed to, as shown at the time."),
      withdrawn_at: consentRecord("When the consent was withdrawn; it stops counting from then."),
    },
  },
  identity_tokens: {
    describes: "A single-use email-verification or password-reset link, kept only as a hash.",
    subject: "account_id",
    dataset: "account",
    columns: {
      token_hash: linkToken("Recognising the link when it is used; a one-way hash, never the link."),
      account_id: linkToken("The account the link acts on."),
      purpose: linkToken("Whether it verifies an email, changes it or resets a password."),
      new_email: linkToken("The address an email change moves the account to once confirmed."),
      expires_at: linkToken("When the link stops working."),
      used_at: linkToken("Making the link single-use."),
      created_at: linkToken("When the link was sent."),
    },
  },
  sessions: {
    describes: "A signed-in portal session, its cookie kept only as a hash.",
    subject: "account_id",
    dataset: "connection-log",
    columns: {
      id_hash: {
        ...sessionData("Recognising the session cookie; a one-way hash, never the cookie."),
        category: "credentials",
      },
      public_id: sessionData("Naming the session when the customer lists or ends sessions."),
      account_id: sessionData("Whose session it is."),
      created_at: sessionData("When the customer signed in."),
      last_seen_at: sessionData("Ending sessions left idle."),
      authenticated_at: sessionData("Asking for the password again before sensitive changes."),
      expires_at: sessionData("Ending every session after its maximum life."),
      ip_address: sessionData("Showing the customer where each session is from."),
      user_agent: sessionData("Showing the customer which browser each session is."),
    },
  },
  login_throttle: {
    describes: "Failed sign-ins counted per email or per address, to slow down password guessing.",
    subject: "key",
    subjectKind: "unlinkable",
    dataset: "connection-log",
    columns: {
      key: throttleData("A hash of the email address, or the network address, being slowed down."),
      failures: throttleData("How many sign-ins failed in a row."),
      locked_until: throttleData("When the next attempt is allowed."),
      updated_at: throttleData("When the last attempt failed."),
    },
  },
  recovery_codes: {
    describes: "A single-use two-factor recovery code, kept only as a hash.",
    subject: "account_id",
    dataset: "account",
    columns: {
      code_hash: deviceSecret("Recognising a recovery code; a one-way hash, never the code."),
      account_id: deviceSecret("Whose code it is."),
      used_at: deviceSecret("Making each code single-use."),
      created_at: deviceSecret("When the codes were made."),
    },
  },
  connection_log: {
    describes: "One sign-in or API use: from which address, browser and approximate place.",
    subject: "account_id",
    dataset: "connection-log",
    columns: {
      id: connectionLog("Identifies the entry."),
      account_id: connectionLog("Whose activity it is."),
      event: connectionLog("What happened (sign-in, failed two-factor, password reset)."),
      ip_address: connectionLog("Letting the customer spot sign-ins that are not theirs."),
      user_agent: connectionLog("Letting the customer recognise their own browsers."),
      country: connectionLog("Approximate place of the address, for the customer's security page."),
      city: connectionLog("Approximate place of the address, for the customer's security page."),
      api_key_id: connectionLog(
        "Which of the customer's API keys was used, so each shows where it is used from.",
      ),
      created_at: connectionLog("When it happened; retention runs from here."),
    },
  },
  mail_outbox: {
    describes: "An email kept on this machine because no SMTP server is configured.",
    subject: "recipient",
    subjectKind: "email",
    dataset: "emails",
    columns: {
      id: outboxData("Identifies the message."),
      recipient: outboxData("Who the message is for."),
      subject: outboxData("The message's subject."),
      body: outboxData("The message's text, which may hold a single-use link."),
      created_at: outboxData("When it was written; retention runs from here."),
    },
  },
  api_keys: {
    describes: "A key the customer made to use the REST API, stored only as a hash.",
    subject: "account_id",
    dataset: "account",
    columns: {
      id: accountData("Identifies the key in listings and when revoking it.", { action: "delete" }),
      account_id: accountData("Which customer the key acts for.", { action: "delete" }),
      name: accountData("The name the customer gave the key.", { action: "delete" }),
      scope: accountData("What the key may do: read, or read and change.", { action: "delete" }),
      prefix: accountData("The first characters of the key, so the customer can tell keys apart.", {
        action: "delete",
      }),
      secret_hash: deviceSecret("Recognising the key (a SHA-256 hash, never the key itself)."),
      created_at: accountData("When the key was made.", { action: "delete" }),
      last_used_at: accountData("When the key was last used, so the customer can spot unused keys.", {
        action: "delete",
      }),
      revoked_at: accountData("When the customer revoked the key.", { action: "delete" }),
    },
  },
  privacy_requests: {
    describes:
      "A data-subject request (access, erasure, restriction, objection, rectification, child report).",
    subject: "account_id",
    dataset: "requests",
    columns: Object.fromEntries(
      [
        ["id", "Identifies the request."],
        ["account_id", "Whose data the request is about."],
        ["kind", "Which right the request exercises."],
        ["status", "Where the request stands."],
        ["received_at", "When it was received; the answer is due a month later."],
        ["due_at", "When the answer is due."],
        ["extended_at", "When the deadline was extended, and the customer told why."],
        ["execute_after", "When an erasure runs, once its cooling-off period ends."],
        ["closed_at", "When the request was completed, cancelled or refused."],
        ["details", "What the customer or reporter wrote."],
        ["reporter_email", "Who reported an account as a child's, to answer them."],
        ["result", "What the request did: for erasure, what was kept, why and until when."],
      ].map(([column, purpose]) => [column as string, requestRecord(purpose as string)]),
    ),
  },
  privacy_request_events: {
    describes: "One step in the history of a data-subject request.",
    subject: "account_id",
    dataset: "requests",
    columns: Object.fromEntries(
      [
        ["id", "Identifies the step."],
        ["request_id", "Which request."],
        ["account_id", "Whose request."],
        ["at", "When the step happened."],
        ["actor", "Who took it: the customer, the system or a named staff member."],
        ["event", "What happened."],
        ["note", "Why, in words."],
      ].map(([column, purpose]) => [column as string, requestRecord(purpose as string, "at")]),
    ),
  },
  privacy_exports: {
    describes: "An access archive (ZIP) built for the customer to download.",
    subject: "account_id",
    dataset: "requests",
    columns: {
      id: archiveData("Identifies the archive in its download link."),
      account_id: archiveData("Whose archive it is; only their session may download it."),
      request_id: archiveData("The access request it answers."),
      status: archiveData("Whether it is being built, ready or failed."),
      created_at: archiveData("When it was asked for."),
      ready_at: archiveData("When it was ready."),
      expires_at: archiveData("When the download stops working and the archive is deleted."),
      size_bytes: archiveData("How large the download is."),
      archive: {
        ...archiveData("The archive itself: a copy of the customer's data."),
        notExported: "A copy of the data the archive already holds.",
      },
    },
  },
  privacy_preferences: {
    describes: "Whether the customer restricted or objected to non-essential processing.",
    subject: "account_id",
    dataset: "consents",
    columns: {
      account_id: preference("Whose choice it is."),
      restricted_at: preference(
        "Since when processing is restricted (GDPR Art. 18): no analytics, no optional mail.",
      ),
      objected_at: preference(
        "Since when the customer objects (GDPR Art. 21) to analytics and optional mail.",
      ),
      updated_at: preference("When the choice last changed."),
    },
  },
  payments: {
    describes:
      "A balance top-up through PayPal: PayPal's references, amount, currency, status and times; never card data or who paid (privacy policy §2).",
    subject: "account_id",
    dataset: "payments",
    columns: {
      id: ledgerRecord("Our reference for the top-up, sent to PayPal with the order."),
      account_id: ledgerRecord("Whose balance the top-up credits."),
      order_id: ledgerRecord(
        "PayPal's order reference, to match PayPal's answers and the customer's return.",
      ),
      capture_id: ledgerRecord("PayPal's transaction reference for the payment, so it is credited once."),
      amount: ledgerRecord("How much the top-up is for."),
      currency: ledgerRecord("The currency of the amount."),
      status: ledgerRecord("Where the payment stands: awaiting approval, completed, refunded, flagged..."),
      refunded_amount: ledgerRecord("How much of it was refunded or reversed, and so debited."),
      created_at: ledgerRecord("When the customer asked to top up; the daily limit counts from here."),
      updated_at: ledgerRecord("When the status last changed."),
      completed_at: ledgerRecord("When the balance was credited."),
    },
  },
  payment_events: {
    describes: "A PayPal notification about a payment, kept so each one is acted on once.",
    subject: "account_id",
    dataset: "payments",
    columns: {
      event_id: ledgerRecord("PayPal's reference of the notification, so a repeat changes nothing."),
      payment_id: ledgerRecord("The top-up the notification is about."),
      account_id: ledgerRecord("Whose top-up it is."),
      event_type: ledgerRecord("What PayPal reported: completed, denied, pending, refunded or reversed."),
      resource_id: ledgerRecord("PayPal's reference of the payment or refund reported."),
      outcome: ledgerRecord("What Zaqros did with it, for audit and disputes."),
      received_at: ledgerRecord("When it arrived."),
    },
  },
  legal_documents: {
    describes:
      "One version of the Terms or the Privacy Policy, with the date it takes effect (operator data).",
    subject: undefined,
    columns: Object.fromEntries(
      [
        "document",
        "version",
        "title",
        "body",
        "effective_at",
        "published_at",
        "material",
        "summary",
        "notified_at",
        "notified_count",
      ].map((column) => [
        column,
        system("Showing customers the Terms and Privacy Policy in force and announcing changes."),
      ]),
    ),
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
