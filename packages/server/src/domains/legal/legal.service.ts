import type { AccountsService } from "../accounts/accounts.service.ts";
import { DomainError } from "../domain-error.ts";
import type { LegalVersions } from "../identity/identity.types.ts";
import type { NotifyService } from "../notify/notify.service.ts";
import { BUILT_IN_DOCUMENTS, documentBody } from "./built-in-documents.ts";
import type { LegalErrorCode } from "./legal.errors.ts";
import type { LegalRepository } from "./legal.repository.ts";
import type { LegalDocument, LegalDocumentKind, LegalOverview, NewLegalVersion } from "./legal.types.ts";

export interface LegalServiceDeps {
  repository: LegalRepository;
  accounts: AccountsService;
  notify: NotifyService;
  /** Days between publishing a material change and its taking effect, at least (default 30). */
  noticeDays?: number;
  /** The portal's address, for the link in the email (no trailing slash). */
  portalUrl: string;
  now?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const KINDS: readonly LegalDocumentKind[] = ["terms", "privacy"];
const VERSION_LABEL = /^[A-Za-z0-9._-]{1,40}$/;

const fail = (code: LegalErrorCode, message: string) => new DomainError(code, message);

/**
 * The Terms and the Privacy Policy as versioned documents with an effective date (privacy policy
 * §12). A material change is emailed to every active customer (a service notice, always sent) and
 * shown in the portal from publication until it takes effect.
 *
 * Every version is kept in memory (a handful of rows), so the version in force is known at any
 * instant without a query: sign-up checks consent against {@link currentVersions}.
 */
export class LegalService {
  private readonly now: () => Date;
  private documents: LegalDocument[] = [...BUILT_IN_DOCUMENTS];
  private readonly versions: LegalVersions;

  constructor(private readonly deps: LegalServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    const current = (kind: LegalDocumentKind) => () => this.inForce(kind)?.version ?? "";
    this.versions = Object.defineProperties({} as LegalVersions, {
      terms: { get: current("terms"), enumerable: true },
      privacy: { get: current("privacy"), enumerable: true },
    });
  }

  get noticeDays(): number {
    return this.deps.noticeDays ?? 30;
  }

  /** The labels of the versions in force now; read live, so they change when a version takes effect. */
  get currentVersions(): LegalVersions {
    return this.versions;
  }

  /** Writes the shipped versions if missing and reloads every version (other nodes may have published). */
  async refresh(): Promise<void> {
    for (const doc of BUILT_IN_DOCUMENTS) await this.deps.repository.insertIfMissing(doc);
    this.documents = await this.deps.repository.listAll();
  }

  /** The versions in force and the changes announced but not yet in force. */
  async overview(): Promise<LegalOverview> {
    await this.refresh();
    const at = this.now().getTime();
    const current = KINDS.map((kind) => this.inForce(kind)).filter(
      (d): d is LegalDocument => d !== undefined,
    );
    const upcoming = this.documents
      .filter((d) => Date.parse(d.effectiveAt) > at)
      .sort((a, b) => Date.parse(a.effectiveAt) - Date.parse(b.effectiveAt));
    return { current, upcoming };
  }

  /**
   * Publishes a new version. A material change must leave the notice period before it takes
   * effect, and every active customer is emailed about it before this returns.
   */
  async publish(input: NewLegalVersion): Promise<{ document: LegalDocument; notified: number }> {
    await this.refresh();
    const now = this.now();
    if (!KINDS.includes(input.document) || !VERSION_LABEL.test(input.version)) {
      throw fail(
        "LEGAL.INVALID_DOCUMENT",
        "Name the document (terms or privacy) and a version label such as 2027-01-15.",
      );
    }
    const body = documentBody(input.body);
    if (body.length === 0 || body.length > 200_000) {
      throw fail("LEGAL.INVALID_DOCUMENT", "The document's text must be 1 to 200,000 characters.");
    }
    if (this.documents.some((d) => d.document === input.document && d.version === input.version)) {
      throw fail(
        "LEGAL.VERSION_EXISTS",
        `The ${input.document} document already has a version ${input.version}.`,
      );
    }
    const summary = input.summary?.trim() ?? "";
    if (input.material && (summary.length === 0 || summary.length > 2000)) {
      throw fail(
        "LEGAL.SUMMARY_REQUIRED",
        "Say in a summary of up to 2,000 characters what the material change is.",
      );
    }
    const earliest = input.material ? new Date(now.getTime() + this.noticeDays * DAY_MS) : now;
    const effectiveAt = input.effectiveAt ?? earliest;
    if (Number.isNaN(effectiveAt.getTime())) {
      throw fail("LEGAL.INVALID_DOCUMENT", "The effective date is not a date.");
    }
    if (effectiveAt.getTime() < earliest.getTime()) {
      throw fail(
        input.material ? "LEGAL.NOTICE_TOO_SHORT" : "LEGAL.NOT_AFTER_CURRENT",
        input.material
          ? `A material change takes effect no sooner than ${this.noticeDays} days after it is published (${earliest.toISOString().slice(0, 10)}).`
          : "A new version cannot take effect in the past.",
      );
    }
    const latest = this.documents
      .filter((d) => d.document === input.document)
      .reduce((max, d) => Math.max(max, Date.parse(d.effectiveAt)), 0);
    if (effectiveAt.getTime() <= latest) {
      throw fail(
        "LEGAL.NOT_AFTER_CURRENT",
        `A new version takes effect after the latest one already published (${new Date(latest).toISOString()}).`,
      );
    }
    const document: LegalDocument = {
      document: input.document,
      version: input.version,
      title: input.title?.trim() || (input.document === "terms" ? "Terms of Service" : "Privacy Policy"),
      body,
      effectiveAt: effectiveAt.toISOString(),
      publishedAt: now.toISOString(),
      material: input.material,
      summary: summary || null,
      notifiedAt: null,
      notifiedCount: null,
    };
    if (!(await this.deps.repository.insertIfMissing(document))) {
      throw fail(
        "LEGAL.VERSION_EXISTS",
        `The ${input.document} document already has a version ${input.version}.`,
      );
    }
    let notified = 0;
    if (document.material) {
      notified = await this.announce(document);
      await this.deps.repository.markNotified(
        document.document,
        document.version,
        this.now().toISOString(),
        notified,
      );
    }
    await this.refresh();
    return { document: this.find(document.document, document.version) ?? document, notified };
  }

  private async announce(document: LegalDocument): Promise<number> {
    const day = document.effectiveAt.slice(0, 10);
    const text = [
      `We are changing our ${document.title}. The new version takes effect on ${day} (UTC).`,
      "",
      "What changes:",
      document.summary ?? "",
      "",
      `Read the new version: ${this.deps.portalUrl}/legal`,
      "",
      "If you do not agree, you can close your account before then on the Privacy page of the portal.",
      "This is a service notice: we send it to every customer, whatever their mail preferences.",
    ].join("\n");
    let count = 0;
    for await (const contact of this.deps.accounts.activeContacts()) {
      await this.deps.notify.sendServiceNotice(
        contact.email,
        "terms-change",
        `our ${document.title} changes on ${day}`,
        text,
      );
      count++;
    }
    return count;
  }

  private inForce(kind: LegalDocumentKind): LegalDocument | undefined {
    const at = this.now().getTime();
    let found: LegalDocument | undefined;
    for (const doc of this.documents) {
      if (doc.document !== kind || Date.parse(doc.effectiveAt) > at) continue;
      if (!found || Date.parse(doc.effectiveAt) > Date.parse(found.effectiveAt)) found = doc;
    }
    return found;
  }

  private find(kind: LegalDocumentKind, version: string) {
    return this.documents.find((d) => d.document === kind && d.version === version);
  }
}
