import type { LegalVersions } from "./identity.types.ts";

/**
 * The Terms and Privacy Policy versions a new customer accepts. The privacy centre (issue 8)
 * replaces this with versioned documents that carry an effective date.
 */
export const CURRENT_LEGAL_VERSIONS: LegalVersions = { terms: "2026-11-30", privacy: "2026-11-30" };
