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
  | { kind: "fixed"; days: number /** the column the period runs from */; from: string }
  | { kind: "system" };

/** What an erasure request does to the value (privacy policy §7, §9). */
export type ErasureRule =
  | { action: "delete" }
  | { action: "pseudonymise"; how: string }
  | { action: "keep" /** the legal hold that requires keeping it */; hold: string }
  | { action: "none" };

export interface ColumnDeclaration {
  category: DataCategory;
  /** Why it is collected (privacy policy §3), in words a customer understands. */
  purpose: string;
  legalBasis: LegalBasis;
  retention: RetentionRule;
  erasure: ErasureRule;
}

export interface TableDeclaration {
  /** What one row is. */
  describes: string;
  /** The column linking a row to the customer it is about; undefined for tables about no one. */
  subject: string | undefined;
  columns: Readonly<Record<string, ColumnDeclaration>>;
}

export type Inventory = Readonly<Record<string, TableDeclaration>>;
