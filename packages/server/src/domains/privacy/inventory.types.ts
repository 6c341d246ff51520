/** What kind of personal data a column holds (privacy policy §2), or `none` for operational data. */
export type DataCategory =
  | "account"
  | "credentials"
  | "usage"
  | "payment"
  | "connection"
  | "support"
  | "consent"
  | "none";

/** GDPR Art. 6 basis, named as in privacy policy §4. */
export type LegalBasis = "contract" | "legitimate-interest" | "consent" | "legal-obligation";

/** How long a value is kept (privacy policy §7). */
export type RetentionRule =
  | { kind: "account-lifetime" /** kept this many days after the account closes */; graceDays: number }
  | {
      kind: "fixed";
      days: number;
      /** the column the period runs from */
      from: string;
      /** The configured billing and audit window (months) replaces `days` (retention job). */
      window?: "billing";
      /** What the retention job does to this value when the period ends; default: the row is deleted. */
      atExpiry?: ExpiryAction;
    }
  | { kind: "system" };

/**
 * What happens to a value when its retention period ends (privacy policy §7, "deleted or
 * anonymised"). A table whose columns all name an action other than `delete-row` is anonymised in
 * place, and must have an `anonymous` column, which marks rows already done.
 */
export type ExpiryAction =
  | "delete-row"
  /** kept as it is: it says nothing about a person once the rest is anonymised */
  | "keep"
  /** set to NULL */
  | "clear"
  /** a phone number cut to its country code and first digits */
  | "truncate-number"
  /** replaced by the word `anonymous`, shared by every anonymised row */
  | "anonymous"
  /** replaced by `anonymous-<row id>`, for unique columns */
  | "anonymous-unique";

/** What an erasure request does to the value (privacy policy §7, §9). */
export type ErasureRule =
  | { action: "delete" }
  | {
      action: "pseudonymise";
      how: string;
      /** The mechanical rule erasure applies (a test checks every pseudonymise rule names one). */
      method?: PseudonymMethod;
    }
  | { action: "keep" /** the legal hold that requires keeping it */; hold: string }
  | { action: "none" };

export interface ColumnDeclaration {
  category: DataCategory;
  /** Why it is collected (privacy policy §3), in words a customer understands. */
  purpose: string;
  legalBasis: LegalBasis;
  retention: RetentionRule;
  erasure: ErasureRule;
  /**
   * Why the column stays out of the access archive, when it does. Columns of category
   * `credentials` (secrets and one-way hashes of them) never go in, with or without this.
   */
  notExported?: string;
}

/**
 * How erasure pseudonymises a value:
 * - `keep-id`: the value stays; the row it names no longer holds anything about a person.
 * - `replace-account-link`: the account id becomes one pseudonym shared by the erased account's rows.
 * - `truncate-number`: an E.164 number keeps its country code and first digits only.
 */
export type PseudonymMethod = "keep-id" | "replace-account-link" | "truncate-number";

/**
 * The datasets of the access archive (GDPR Art. 15, 20), in the order the manifest lists them.
 * Every table about a customer belongs to one; a dataset no table belongs to yet is listed as
 * "none held".
 */
export type DatasetName =
  | "account"
  | "devices"
  | "registrations"
  | "cdrs"
  | "ledger"
  | "payments"
  | "connection-log"
  | "support"
  | "emails"
  | "consents"
  | "requests";

/** What the manifest says about a dataset beyond its columns' own declarations. */
export interface DatasetDeclaration {
  title: string;
  /** Why Zaqros holds the dataset, in one sentence (privacy policy §3); the columns say it in detail. */
  purpose: string;
  /** Who receives the data besides Zaqros (privacy policy §5). */
  recipients: readonly string[];
  /** Where the data comes from (GDPR Art. 15(1)(g)). */
  source: string;
}

/** How a table's subject column names the customer. */
export type SubjectKind =
  /** The account id (the default). */
  | "account"
  /** The account's email address. */
  | "email"
  /** A one-way hash no account can be matched to; export and erasure cannot reach these rows. */
  | "unlinkable";

export interface TableDeclaration {
  /** What one row is. */
  describes: string;
  /** The column linking a row to the customer it is about; undefined for tables about no one. */
  subject: string | undefined;
  /** How the subject column names the customer; `account` when left out. */
  subjectKind?: SubjectKind;
  /**
   * When the subject column holds a key of another table's rows rather than the customer's own id
   * (a payment notification names its payment): that table and the key column. The customer's
   * rows here are those whose subject is the key of one of the customer's rows there.
   */
  subjectVia?: { table: string; column: string };
  /** The access-archive dataset of the table's rows (a test checks every table with a subject names one). */
  dataset?: DatasetName;
  columns: Readonly<Record<string, ColumnDeclaration>>;
}

export type Inventory = Readonly<Record<string, TableDeclaration>>;
