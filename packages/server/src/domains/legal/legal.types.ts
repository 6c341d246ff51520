/** The two documents a customer agrees to. */
export type LegalDocumentKind = "terms" | "privacy";

/** One version of the Terms or the Privacy Policy. */
export interface LegalDocument {
  document: LegalDocumentKind;
  version: string;
  title: string;
  /** Plain text; lines starting with "- " are list items, short lines without a full stop are headings. */
  body: string;
  /** From this instant the version is the one in force; shown as "Last updated". */
  effectiveAt: string;
  publishedAt: string;
  /** A material change is announced by email and an in-portal notice before it takes effect. */
  material: boolean;
  /** What changes, for the email and the notice; null for the versions shipped with Zaqros. */
  summary: string | null;
  /** When every active customer was emailed about it, and how many were. */
  notifiedAt: string | null;
  notifiedCount: number | null;
}

export interface NewLegalVersion {
  document: LegalDocumentKind;
  version: string;
  body: string;
  /** Default: the current version's title. */
  title?: string | undefined;
  /** Default: now for a minor change, now plus the notice period for a material one. */
  effectiveAt?: Date | undefined;
  material: boolean;
  summary?: string | undefined;
}

/** What the portal and API show: the versions in force and the changes announced. */
export interface LegalOverview {
  current: LegalDocument[];
  upcoming: LegalDocument[];
}
