/**
 * What Zaqros asks consent for, each with the words shown and their version. A new wording gets a
 * new version; the consent ledger keeps the words each customer agreed to. Service notices
 * (outages, security, changes to the Terms or this Policy) are not marketing and need no consent.
 */
export interface ConsentNotice {
  purpose: string;
  version: string;
  title: string;
  text: string;
}

export const CONSENT_NOTICES: readonly ConsentNotice[] = [
  {
    purpose: "product-news-email",
    version: "2026-11-30",
    title: "Product news by email",
    text: "Zaqros may email me, at most once a month, about new features, new destinations and price changes. I can withdraw this at any time on the Privacy page; it takes effect at once.",
  },
  {
    purpose: "feedback-surveys",
    version: "2026-11-30",
    title: "Feedback surveys",
    text: "Zaqros may email me short surveys about call quality and the portal. Answers are used only in aggregate. I can withdraw this at any time on the Privacy page; it takes effect at once.",
  },
];

/** The documents accepted as part of the contract at sign-up: recorded in the ledger, not withdrawable. */
export const CONTRACT_DOCUMENTS: ReadonlySet<string> = new Set(["terms", "privacy"]);

export function noticeFor(purpose: string): ConsentNotice | undefined {
  return CONSENT_NOTICES.find((notice) => notice.purpose === purpose);
}
