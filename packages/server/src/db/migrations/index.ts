import type { Migration } from "kysely";
import * as accounts from "./2026-11-30-0001-accounts.ts";
import * as voice from "./2026-11-30-0002-voice.ts";
import * as billing from "./2026-11-30-0003-billing.ts";
import * as identity from "./2026-11-30-0004-identity.ts";
import * as apiKeys from "./2026-11-30-0005-api-keys.ts";
import * as identitySecurity from "./2026-11-30-0006-identity-security.ts";
import * as payments from "./2026-11-30-0007-payments.ts";
import * as privacyRights from "./2026-11-30-0008-privacy-rights.ts";
import * as legalDocuments from "./2026-11-30-0009-legal-documents.ts";
import * as carrierDeckRevision from "./2026-11-30-0010-carrier-deck-revision.ts";

/** Every migration, keyed by its sortable name. Add new ones at the end. */
export const MIGRATIONS: Record<string, Migration> = {
  "2026-11-30-0001-accounts": accounts,
  "2026-11-30-0002-voice": voice,
  "2026-11-30-0003-billing": billing,
  "2026-11-30-0004-identity": identity,
  "2026-11-30-0005-api-keys": apiKeys,
  "2026-11-30-0006-identity-security": identitySecurity,
  "2026-11-30-0007-payments": payments,
  "2026-11-30-0008-privacy-rights": privacyRights,
  "2026-11-30-0009-legal-documents": legalDocuments,
  "2026-11-30-0010-carrier-deck-revision": carrierDeckRevision,
};
