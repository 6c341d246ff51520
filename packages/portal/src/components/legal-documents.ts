/** A version of the Terms or the Privacy Policy as `GET /api/v1/legal` gives it. */
export interface LegalDocument {
  document: "terms" | "privacy";
  version: string;
  title: string;
  body: string;
  /** In force from here: the "last updated" date. */
  effectiveAt: string;
  publishedAt: string;
  material: boolean;
  summary: string | null;
}

export interface LegalOverview {
  current: LegalDocument[];
  upcoming: LegalDocument[];
}

/** "30 December 2026", in UTC, the way the documents are dated. */
export function longDate(iso: string): string {
  return new Date(iso).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}
