import { readFileSync } from "node:fs";
import { CURRENT_LEGAL_VERSIONS } from "../identity/legal-versions.ts";
import type { LegalDocument } from "./legal.types.ts";

const read = (name: string) => readFileSync(new URL(`./documents/${name}`, import.meta.url), "utf8");

/**
 * The text of a document file less its heading lines ("Legal", the title, "Last updated: …"):
 * the portal shows the title and the date from the version's record.
 */
export function documentBody(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let start = 0;
  while (
    start < lines.length &&
    start < 3 &&
    /^(Legal|Terms of Service|Privacy Policy|Last updated:.*)\s*$/.test(lines[start] ?? "")
  ) {
    start++;
  }
  return lines.slice(start).join("\n").trim();
}

/**
 * The versions shipped with Zaqros, in force until an operator publishes another. Their labels are
 * the ones sign-up has recorded consent to since the start; the Privacy Policy's effective date is
 * the "Last updated" date it carries.
 */
export const BUILT_IN_DOCUMENTS: readonly LegalDocument[] = [
  {
    document: "terms",
    version: CURRENT_LEGAL_VERSIONS.terms,
    title: "Terms of Service",
    body: documentBody(read("terms-of-service.txt")),
    effectiveAt: "2026-11-30T00:00:00.000Z",
    publishedAt: "2026-11-30T00:00:00.000Z",
    material: false,
    summary: null,
    notifiedAt: null,
    notifiedCount: null,
  },
  {
    document: "privacy",
    version: CURRENT_LEGAL_VERSIONS.privacy,
    title: "Privacy Policy",
    body: documentBody(read("privacy-policy.txt")),
    effectiveAt: "2026-04-14T00:00:00.000Z",
    publishedAt: "2026-04-14T00:00:00.000Z",
    material: false,
    summary: null,
    notifiedAt: null,
    notifiedCount: null,
  },
];
