import { randomUUID } from "node:crypto";
import type { Selectable } from "kysely";
import type { PrivacyRequestsTable } from "../../db/schema.ts";
import type { AccountsService } from "../accounts/accounts.service.ts";
import { DomainError } from "../domain-error.ts";
import type { LedgerService } from "../ledger/ledger.service.ts";
import { formatMicros } from "../money.ts";
import type { NotifyService } from "../notify/notify.service.ts";
import type { OptionalMailPurpose } from "../notify/notify.types.ts";
import { buildAccessArchive, COMPLAINT_RIGHT, countSubjectRows } from "./access-archive.ts";
import { CONSENT_NOTICES, CONTRACT_DOCUMENTS, noticeFor } from "./consent-notices.ts";
import { eraseSubject } from "./erasure.ts";
import type { Inventory } from "./inventory.types.ts";
import type { PrivacyErrorCode } from "./privacy.errors.ts";
import type { PrivacyRepository, SubjectKeys } from "./privacy.repository.ts";
import {
  type ConsentEntry,
  type ConsentState,
  DEFAULT_PRIVACY_POLICY_OPTIONS,
  type ErasureResult,
  type ExportInfo,
  type OutstandingMatters,
  type PrivacyPolicyOptions,
  type PrivacyRequest,
  type PrivacyRequestKind,
  type PrivacyRequestStatus,
  type ProcessingPreferences,
} from "./privacy.types.ts";

export interface PrivacyServiceDeps {
  repository: PrivacyRepository;
  inventory: Inventory;
  accounts: AccountsService;
  ledger: LedgerService;
  notify: NotifyService;
  /** The portal's address, for links in mail (ends without a slash). */
  portalUrl: string;
  options?: Partial<PrivacyPolicyOptions>;
  /** Open payment disputes of an account, once the payments domain tracks them; none otherwise. */
  openDisputes?: (accountId: string) => Promise<number>;
  now?: () => Date;
}

const fail = (code: PrivacyErrorCode, message: string) => new DomainError(code, message);

const MAX_DETAILS = 4000;
const CLOSED: ReadonlySet<PrivacyRequestStatus> = new Set(["completed", "cancelled", "refused"]);

/** Adds calendar months in UTC, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(at: Date, months: number): Date {
  const result = new Date(at.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const last = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, last));
  return result;
}

/**
 * The data-subject rights of privacy policy §9, driven by the personal-data inventory: access and
 * portability (an archive per request), erasure after a cooling-off period, restriction and
 * objection, the consent ledger, rectification and child reports, each a request with a due
 * date and a history that staff work through.
 */
export class PrivacyService {
  private readonly repository: PrivacyRepository;
  private readonly now: () => Date;
  readonly options: PrivacyPolicyOptions;
  private background: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: PrivacyServiceDeps) {
    this.repository = deps.repository;
    this.now = deps.now ?? (() => new Date());
    this.options = { ...DEFAULT_PRIVACY_POLICY_OPTIONS, ...deps.options };
  }

  // Requests: every right exercised leaves one, with its due date and history.

  private async openRequest(input: {
    accountId: string | null;
    kind: PrivacyRequestKind;
    status: PrivacyRequestStatus;
    actor: string;
    details?: string | null;
    reporterEmail?: string | null;
    executeAfter?: string | null;
    event: string;
    note?: string | null;
  }): Promise<string> {
    const at = this.now();
    const id = randomUUID();
    await this.repository.insertRequest({
      id,
      account_id: input.accountId,
      kind: input.kind,
      status: input.status,
      received_at: at.toISOString(),
      due_at: addMonths(at, 1).toISOString(),
      extended_at: null,
      execute_after: input.executeAfter ?? null,
      closed_at: null,
      details: input.details ?? null,
      reporter_email: input.reporterEmail ?? null,
      result: null,
    });
    await this.record(id, input.accountId, input.actor, input.event, input.note ?? null);
    return id;
  }

  private async record(
    requestId: string,
    accountId: string | null,
    actor: string,
    event: string,
    note: string | null,
  ) {
    await this.repository.insertEvent({
      id: eventId(),
      request_id: requestId,
      account_id: accountId,
      at: this.now().toISOString(),
      actor,
      event,
      note,
    });
  }

  private async close(
    requestId: string,
    accountId: string | null,
    status: "completed" | "cancelled" | "refused",
    actor: string,
    note: string | null,
    result?: unknown,
  ) {
    await this.repository.updateRequest(requestId, {
      status,
      closed_at: this.now().toISOString(),
      ...(result === undefined ? {} : { result: JSON.stringify(result) }),
    });
    await this.record(requestId, accountId, actor, status, note);
  }

  private async withHistory(rows: Selectable<PrivacyRequestsTable>[]): Promise<PrivacyRequest[]> {
    const events = await this.repository.eventsOf(rows.map((r) => r.id));
    return rows.map((row) => ({
      id: row.id,
      accountId: row.account_id,
      kind: row.kind,
      status: row.status,
      receivedAt: row.received_at,
      dueAt: row.due_at,
      extendedAt: row.extended_at,
      executeAfter: row.execute_after,
      closedAt: row.closed_at,
      details: row.details,
      reporterEmail: row.reporter_email,
      result: row.result === null ? null : (JSON.parse(row.result) as PrivacyRequest["result"]),
      history: events
        .filter((e) => e.request_id === row.id)
        .map((e) => ({ at: e.at, actor: e.actor, event: e.event, note: e.note })),
    }));
  }

  /** The customer's own requests, newest first, each with its history. */
  async requestsOf(accountId: string): Promise<PrivacyRequest[]> {
    return this.withHistory(await this.repository.requestsOf(accountId));
  }

  private async subjectOf(accountId: string): Promise<SubjectKeys> {
    const account = await this.deps.accounts.get(accountId);
    return { accountId, email: account.email };
  }

  // Access and portability (GDPR Art. 15, 20).

  /**
   * Asks for an archive of everything held about the account. A normal account's archive is built
   * at once; a large one in the background, with a mail when it is ready.
   */
  async requestExport(accountId: string): Promise<ExportInfo> {
    const subject = await this.subjectOf(accountId);
    const requestId = await this.openRequest({
      accountId,
      kind: "access",
      status: "received",
      actor: "customer",
      event: "received",
      note: "Access and portability: an archive of every dataset.",
    });
    const id = randomUUID();
    const createdAt = this.now().toISOString();
    await this.repository.insertExport({
      id,
      account_id: accountId,
      request_id: requestId,
      status: "building",
      created_at: createdAt,
      ready_at: null,
      expires_at: null,
      size_bytes: null,
      archive: null,
    });
    const rows = await countSubjectRows(this.repository, this.deps.inventory, subject);
    if (rows <= this.options.exportInlineRowLimit) {
      await this.buildExport(id, requestId, subject, false);
    } else {
      await this.record(
        requestId,
        accountId,
        "system",
        "building",
        `${rows} records: built in the background.`,
      );
      this.inBackground(() => this.buildExport(id, requestId, subject, true));
    }
    return this.exportInfo(id, accountId);
  }

  /** Builds and stores an archive; false when another builder (a second node) stored it first. */
  private async buildExport(
    id: string,
    requestId: string,
    subject: SubjectKeys,
    notify: boolean,
  ): Promise<boolean> {
    try {
      const at = this.now();
      const { zip } = await buildAccessArchive({
        repository: this.repository,
        inventory: this.deps.inventory,
        subject,
        generatedAt: at.toISOString(),
      });
      const expiresAt = new Date(at.getTime() + this.options.exportTtlHours * 3_600_000).toISOString();
      const stored = await this.repository.finishExport(id, {
        status: "ready",
        ready_at: at.toISOString(),
        expires_at: expiresAt,
        size_bytes: zip.byteLength,
        archive: Buffer.from(zip),
      });
      if (!stored) return false;
      await this.close(
        requestId,
        subject.accountId,
        "completed",
        "system",
        `Archive ready until ${expiresAt}.`,
      );
      if (notify) {
        await this.deps.notify.sendServiceNotice(
          subject.email,
          "privacy-request",
          "your data archive is ready",
          `The archive of your Zaqros data you asked for is ready. Sign in and download it from the Privacy page until ${expiresAt}:\n\n${this.portalPrivacyUrl()}\n\nThe link works only while you are signed in.`,
        );
      }
      return true;
    } catch (error) {
      await this.repository.updateExport(id, { status: "failed" });
      await this.record(
        requestId,
        subject.accountId,
        "system",
        "failed",
        "The archive could not be built; ask for a new one on the Privacy page.",
      );
      throw error;
    }
  }

  private portalPrivacyUrl() {
    return `${this.deps.portalUrl}/privacy`;
  }

  private inBackground(work: () => Promise<unknown>) {
    this.background = this.background.then(work).catch(() => {});
  }

  /** Resolves once background work started so far has finished (tests, and shutdown). */
  settled(): Promise<unknown> {
    return this.background;
  }

  async exportsOf(accountId: string): Promise<ExportInfo[]> {
    const rows = await this.repository.exportsOf(accountId);
    const now = this.now().toISOString();
    return rows.map((row) => ({
      id: row.id,
      requestId: row.request_id,
      status:
        row.status === "ready" && row.expires_at !== null && row.expires_at <= now ? "expired" : row.status,
      createdAt: row.created_at,
      readyAt: row.ready_at,
      expiresAt: row.expires_at,
      sizeBytes: row.size_bytes,
    }));
  }

  private async exportInfo(id: string, accountId: string): Promise<ExportInfo> {
    const found = (await this.exportsOf(accountId)).find((e) => e.id === id);
    if (!found) throw fail("PRIVACY.EXPORT_NOT_FOUND", "No such archive.");
    return found;
  }

  /** The archive's bytes, for its owner only, until it expires. */
  async downloadExport(accountId: string, exportId: string): Promise<{ filename: string; bytes: Buffer }> {
    const row = await this.repository.findExport(exportId);
    if (!row || row.account_id !== accountId) throw fail("PRIVACY.EXPORT_NOT_FOUND", "No such archive.");
    if (row.status === "building")
      throw fail("PRIVACY.EXPORT_NOT_READY", "The archive is still being built.");
    if (
      row.status !== "ready" ||
      !row.archive ||
      (row.expires_at !== null && row.expires_at <= this.now().toISOString())
    ) {
      throw fail("PRIVACY.EXPORT_EXPIRED", "This archive has expired; ask for a new one.");
    }
    const day = (row.ready_at ?? row.created_at).slice(0, 10);
    return { filename: `zaqros-data-${day}.zip`, bytes: Buffer.from(row.archive) };
  }

  // Erasure (GDPR Art. 17).

  /** What an erasure would state without being held up by it: an unpaid balance, open disputes. */
  async outstandingMatters(accountId: string): Promise<OutstandingMatters> {
    const { balance, currency } = await this.deps.ledger.balance(accountId);
    const openDisputes = (await this.deps.openDisputes?.(accountId)) ?? 0;
    const statements: string[] = [];
    if (balance < 0) {
      statements.push(
        `Your balance is ${formatMicros(balance).replace(/(\.\d\d\d*?)0+$/, "$1")} ${currency}: the amount you owe stays owed after erasure, and the billing records that prove it are kept under the legal hold for billing records. It does not stop the erasure.`,
      );
    }
    if (openDisputes > 0) {
      statements.push(
        `${openDisputes} payment(s) are under review or dispute: the records they concern are kept until they are resolved. They do not stop the erasure.`,
      );
    }
    return { balance, currency, unpaidBalance: balance < 0, openDisputes, statements };
  }

  /**
   * Starts an erasure: it runs when the cooling-off period ends, unless the customer cancels first.
   * An unpaid balance or open dispute is stated, never a reason to refuse.
   */
  async requestErasure(accountId: string, details?: string): Promise<PrivacyRequest> {
    const subject = await this.subjectOf(accountId);
    if (await this.repository.pendingErasure(accountId)) {
      throw fail(
        "PRIVACY.ERASURE_PENDING",
        "An erasure request is already waiting; cancel it or let it run.",
      );
    }
    const text = checkDetails(details);
    const executeAfter = new Date(
      this.now().getTime() + this.options.erasureCoolingOffDays * 86_400_000,
    ).toISOString();
    const outstanding = await this.outstandingMatters(accountId);
    const id = await this.openRequest({
      accountId,
      kind: "erasure",
      status: "cooling-off",
      actor: "customer",
      details: text,
      executeAfter,
      event: "received",
      note: [`Runs after ${executeAfter} unless cancelled.`, ...outstanding.statements].join(" "),
    });
    await this.deps.notify.sendServiceNotice(
      subject.email,
      "privacy-request",
      "erasure of your account requested",
      [
        `We received a request to erase your Zaqros account and data.`,
        `It runs after ${executeAfter}. Until then you can cancel it on the Privacy page: ${this.portalPrivacyUrl()}`,
        ...outstanding.statements,
        `If you did not ask for this, sign in, cancel the request and change your password.`,
      ].join("\n\n"),
    );
    return this.requestOf(id);
  }

  async cancelErasure(accountId: string): Promise<PrivacyRequest> {
    const pending = await this.repository.pendingErasure(accountId);
    const at = this.now().toISOString();
    if (!pending || !(await this.repository.claimRequest(pending.id, "cooling-off", "cancelled", at))) {
      throw fail("PRIVACY.NO_PENDING_ERASURE", "There is no erasure request waiting.");
    }
    await this.record(
      pending.id,
      accountId,
      "customer",
      "cancelled",
      "Cancelled during the cooling-off period.",
    );
    const subject = await this.subjectOf(accountId);
    await this.deps.notify.sendServiceNotice(
      subject.email,
      "privacy-request",
      "erasure cancelled",
      "The erasure of your Zaqros account was cancelled. Your account and data stay as they are.",
    );
    return this.requestOf(pending.id);
  }

  private async requestOf(id: string): Promise<PrivacyRequest> {
    const row = await this.repository.findRequest(id);
    if (!row) throw fail("PRIVACY.REQUEST_NOT_FOUND", "No such request.");
    return (await this.withHistory([row]))[0] as PrivacyRequest;
  }

  /**
   * Runs an erasure now: every dataset as the inventory says, then the account is closed (no
   * sign-in, no calls: sessions, devices and keys are gone). The customer is told by mail what was
   * kept, why and until when; the same goes in the request's result, which stays.
   */
  private async executeErasure(
    request: Selectable<PrivacyRequestsTable>,
    actor: string,
  ): Promise<ErasureResult | undefined> {
    const accountId = request.account_id as string;
    const subject = await this.subjectOf(accountId);
    const outstanding = await this.outstandingMatters(accountId);
    const executedAt = this.now();
    const report = await eraseSubject({
      repository: this.repository,
      inventory: this.deps.inventory,
      subject,
      pseudonym: `erased-${randomUUID()}`,
      executedAt,
      claim: (tx) =>
        this.repository.claimRequest(request.id, "cooling-off", "completed", executedAt.toISOString(), tx),
    });
    if (!report) return undefined;
    this.deps.accounts.forgetCached(accountId);
    const result: ErasureResult = { ...report, outstanding };
    await this.repository.updateRequest(request.id, { result: JSON.stringify(result) });
    await this.record(
      request.id,
      accountId,
      actor,
      "completed",
      "Erased as the personal-data inventory says.",
    );
    await this.deps.notify.sendServiceNotice(
      subject.email,
      "privacy-request",
      "your account and data were erased",
      erasureLetter(result),
    );
    return result;
  }

  // Restriction (Art. 18) and objection (Art. 21).

  async preferencesOf(accountId: string): Promise<ProcessingPreferences> {
    const row = await this.repository.preferencesOf(accountId);
    return { restrictedAt: row?.restricted_at ?? null, objectedAt: row?.objected_at ?? null };
  }

  /** Restriction on or off; either way it is a request on record, completed at once. */
  setRestriction(accountId: string, on: boolean): Promise<ProcessingPreferences> {
    return this.setPreference(accountId, "restriction", on);
  }

  setObjection(accountId: string, on: boolean): Promise<ProcessingPreferences> {
    return this.setPreference(accountId, "objection", on);
  }

  private async setPreference(accountId: string, kind: "restriction" | "objection", on: boolean) {
    await this.deps.accounts.get(accountId);
    const current = await this.preferencesOf(accountId);
    const at = this.now().toISOString();
    const next = {
      restrictedAt:
        kind === "restriction" ? (on ? (current.restrictedAt ?? at) : null) : current.restrictedAt,
      objectedAt: kind === "objection" ? (on ? (current.objectedAt ?? at) : null) : current.objectedAt,
    };
    await this.repository.savePreferences({
      account_id: accountId,
      restricted_at: next.restrictedAt,
      objected_at: next.objectedAt,
      updated_at: at,
    });
    const words =
      kind === "restriction"
        ? on
          ? "Processing restricted: no analytics and no optional mail; the service keeps running."
          : "Restriction lifted."
        : on
          ? "Objection recorded: no analytics and no optional mail; the service keeps running."
          : "Objection withdrawn.";
    const id = await this.openRequest({
      accountId,
      kind,
      status: "received",
      actor: "customer",
      event: "received",
      note: words,
    });
    await this.close(id, accountId, "completed", "system", "Took effect at once.");
    return next;
  }

  /**
   * Whether optional mail of a purpose may go to the account: its consent stands, and it has not
   * restricted or objected to processing. Service notices never ask.
   */
  async allowsOptionalMail(accountId: string, purpose: OptionalMailPurpose): Promise<boolean> {
    const preferences = await this.preferencesOf(accountId);
    if (preferences.restrictedAt !== null || preferences.objectedAt !== null) return false;
    return this.repository.hasLiveConsent(accountId, purpose);
  }

  /** Accounts whose data analytics must leave out (restriction or objection). */
  accountsExcludedFromAnalytics(): Promise<string[]> {
    return this.repository.accountsLimitingProcessing();
  }

  // Consent (GDPR Art. 7).

  /** Every consent given and withdrawn, oldest first, with the words agreed to. */
  async consentLedger(accountId: string): Promise<ConsentEntry[]> {
    const rows = await this.repository.consentsOf(accountId);
    return rows.map((row) => ({
      id: row.id,
      purpose: row.document,
      version: row.version,
      noticeText: row.notice_text,
      givenAt: row.accepted_at,
      withdrawnAt: row.withdrawn_at,
      withdrawable: !CONTRACT_DOCUMENTS.has(row.document),
    }));
  }

  /** The consents Zaqros asks for, in their current wording, and whether the account gave each. */
  async consentStates(accountId: string): Promise<ConsentState[]> {
    const ledger = await this.consentLedger(accountId);
    return CONSENT_NOTICES.map((notice) => ({
      purpose: notice.purpose,
      title: notice.title,
      version: notice.version,
      text: notice.text,
      given: ledger.some((e) => e.purpose === notice.purpose && e.withdrawnAt === null),
    }));
  }

  async giveConsent(accountId: string, purpose: string): Promise<ConsentEntry[]> {
    await this.deps.accounts.get(accountId);
    const notice = noticeFor(purpose);
    if (!notice) throw fail("PRIVACY.UNKNOWN_PURPOSE", `Zaqros asks no consent for "${purpose}".`);
    if (!(await this.repository.hasLiveConsent(accountId, purpose))) {
      await this.repository.insertConsent({
        id: randomUUID(),
        account_id: accountId,
        document: notice.purpose,
        version: notice.version,
        notice_text: notice.text,
        accepted_at: this.now().toISOString(),
        withdrawn_at: null,
      });
    }
    return this.consentLedger(accountId);
  }

  /** Withdrawal takes effect at once: the next optional mail is not sent. */
  async withdrawConsent(accountId: string, purpose: string): Promise<ConsentEntry[]> {
    await this.deps.accounts.get(accountId);
    if (CONTRACT_DOCUMENTS.has(purpose)) {
      throw fail(
        "PRIVACY.NOT_WITHDRAWABLE",
        "The Terms and Privacy Policy are part of the contract; to end it, ask for erasure.",
      );
    }
    if (!noticeFor(purpose))
      throw fail("PRIVACY.UNKNOWN_PURPOSE", `Zaqros asks no consent for "${purpose}".`);
    const withdrawn = await this.repository.withdrawConsent(accountId, purpose, this.now().toISOString());
    if (withdrawn === 0)
      throw fail("PRIVACY.NO_CONSENT", "There is no consent for that purpose to withdraw.");
    return this.consentLedger(accountId);
  }

  // Rectification (Art. 16) of what the portal cannot edit, and child reports (policy §11).

  async requestRectification(accountId: string, details: string): Promise<PrivacyRequest> {
    await this.deps.accounts.get(accountId);
    const text = checkDetails(details);
    if (!text) throw fail("PRIVACY.INVALID_REQUEST", "Say what is wrong and what it should be.");
    const id = await this.openRequest({
      accountId,
      kind: "rectification",
      status: "received",
      actor: "customer",
      details: text,
      event: "received",
    });
    return this.requestOf(id);
  }

  /**
   * A report that an account belongs to a child under 16. Anyone may report; the reply never
   * says whether the address has an account. Staff confirm before anything happens to the account.
   */
  async reportChild(input: { accountEmail: string; reporterEmail: string; details?: string }): Promise<void> {
    const email = input.accountEmail.trim().toLowerCase();
    const reporter = input.reporterEmail.trim().toLowerCase();
    if (
      !/^[^\s@]+@[^\s@]+$/.test(email) ||
      !/^[^\s@]+@[^\s@]+$/.test(reporter) ||
      email.length > 254 ||
      reporter.length > 254
    ) {
      throw fail("PRIVACY.INVALID_REQUEST", "Give the account's email address and yours.");
    }
    const accountId = (await this.repository.findAccountIdByEmail(email)) ?? null;
    await this.openRequest({
      accountId,
      kind: "child-report",
      status: "awaiting-confirmation",
      actor: "reporter",
      details: checkDetails(input.details),
      reporterEmail: reporter,
      event: "received",
      note: accountId ? "Names an account; waiting for staff to confirm." : "Names no known account.",
    });
    await this.deps.notify.sendServiceNotice(
      reporter,
      "privacy-request",
      "we received your report",
      "Thank you. Staff will check the report; if the account belongs to a child under 16 it is suspended and its data erased (privacy policy §11).",
    );
  }

  // Staff.

  async listRequests(filter: { status?: string; kind?: string; limit?: number } = {}) {
    const rows = await this.repository.listRequests({
      status: filter.status,
      kind: filter.kind,
      limit: filter.limit ?? 200,
    });
    const now = this.now().toISOString();
    return (await this.withHistory(rows)).map((r) => ({
      ...r,
      overdue: !CLOSED.has(r.status) && r.dueAt < now,
    }));
  }

  async getRequest(id: string): Promise<PrivacyRequest> {
    return this.requestOf(id);
  }

  /**
   * Extends the deadline by two months (GDPR Art. 12(3)), once, and tells the customer why
   * within the first month.
   */
  async extendDeadline(id: string, staff: string, reason: string): Promise<PrivacyRequest> {
    const row = await this.openRow(id);
    if (row.extended_at) throw fail("PRIVACY.ALREADY_EXTENDED", "The deadline was already extended once.");
    const text = checkDetails(reason);
    if (!text) throw fail("PRIVACY.INVALID_REQUEST", "Say why more time is needed; the customer is told.");
    const dueAt = addMonths(new Date(row.received_at), 3).toISOString();
    await this.repository.updateRequest(id, { due_at: dueAt, extended_at: this.now().toISOString() });
    await this.record(id, row.account_id, staffActor(staff), "extended", `Due ${dueAt}: ${text}`);
    const to = row.account_id ? (await this.deps.accounts.get(row.account_id)).email : row.reporter_email;
    if (to) {
      await this.deps.notify.sendServiceNotice(
        to,
        "privacy-request",
        "we need more time",
        `We need more time to answer your ${row.kind} request of ${row.received_at.slice(0, 10)}, as the law allows for complex requests. The new deadline is ${dueAt.slice(0, 10)}.\n\nWhy: ${text}\n\n${COMPLAINT_RIGHT}`,
      );
    }
    return this.requestOf(id);
  }

  /**
   * Records a request a customer made by email or the contact page (privacy policy §9) and acts
   * on it as if made on the Privacy page: erasure starts its cooling-off, access builds the archive
   * (the customer is mailed to download it while signed in), restriction and objection take effect.
   */
  async recordRequestFromCustomer(
    input: { accountEmail: string; kind: Exclude<PrivacyRequestKind, "child-report">; details?: string },
    staff: string,
  ): Promise<PrivacyRequest> {
    const actor = staffActor(staff);
    const accountId = await this.repository.findAccountIdByEmail(input.accountEmail.trim().toLowerCase());
    if (!accountId) throw new DomainError("ACCOUNT.NOT_FOUND", "No account has that email address.");
    switch (input.kind) {
      case "erasure":
        await this.requestErasure(accountId, input.details);
        break;
      case "access": {
        const archive = await this.requestExport(accountId);
        if (archive.status === "ready") {
          await this.deps.notify.sendServiceNotice(
            (await this.subjectOf(accountId)).email,
            "privacy-request",
            "your data archive is ready",
            `The archive of your Zaqros data you asked for is ready. Sign in and download it from the Privacy page until ${archive.expiresAt}:\n\n${this.portalPrivacyUrl()}\n\nThe link works only while you are signed in.`,
          );
        }
        break;
      }
      case "restriction":
        await this.setRestriction(accountId, true);
        break;
      case "objection":
        await this.setObjection(accountId, true);
        break;
      case "rectification":
        await this.requestRectification(accountId, input.details ?? "");
        break;
    }
    const newest = (await this.repository.requestsOf(accountId)).find((r) => r.kind === input.kind);
    if (!newest) throw new Error("the request just made is missing");
    await this.record(newest.id, accountId, actor, "recorded", "Received by email or the contact page.");
    return this.requestOf(newest.id);
  }

  /** Marks a request done (a rectification made by staff), with a note for the history. */
  async completeRequest(id: string, staff: string, note: string): Promise<PrivacyRequest> {
    const row = await this.openRow(id);
    if (row.kind === "erasure" || row.kind === "child-report") {
      throw fail("PRIVACY.WRONG_STATE", "Erasures run themselves; child reports are confirmed or refused.");
    }
    await this.close(id, row.account_id, "completed", staffActor(staff), checkDetails(note));
    return this.requestOf(id);
  }

  async refuseRequest(id: string, staff: string, reason: string): Promise<PrivacyRequest> {
    const row = await this.openRow(id);
    const text = checkDetails(reason);
    if (!text) throw fail("PRIVACY.INVALID_REQUEST", "Say why; the customer is told.");
    await this.close(id, row.account_id, "refused", staffActor(staff), text);
    return this.requestOf(id);
  }

  /**
   * Staff confirm a child report: the account is suspended at once (sessions end) and erased
   * without a cooling-off period: the data should never have been collected.
   */
  async confirmChildReport(id: string, staff: string, note: string): Promise<PrivacyRequest> {
    const row = await this.openRow(id);
    if (row.kind !== "child-report" || !row.account_id) {
      throw fail("PRIVACY.WRONG_STATE", "Only a child report naming an account can be confirmed.");
    }
    const accountId = row.account_id;
    await this.repository.setAccountStatus(accountId, "suspended", this.now().toISOString());
    // Call admission on this node sees the suspension with the next call, not a second later.
    this.deps.accounts.forgetCached(accountId);
    await this.repository.endSessions(accountId);
    await this.record(
      id,
      accountId,
      staffActor(staff),
      "confirmed",
      `${checkDetails(note) ?? ""} Account suspended.`.trim(),
    );
    const pending = await this.repository.pendingErasure(accountId);
    if (pending)
      await this.close(pending.id, accountId, "cancelled", "system", "Superseded by a child report.");
    const erasureId = await this.openRequest({
      accountId,
      kind: "erasure",
      status: "cooling-off",
      actor: staffActor(staff),
      executeAfter: this.now().toISOString(),
      event: "received",
      note: `Started by child report ${id}; no cooling-off period.`,
    });
    const erasure = (await this.repository.findRequest(erasureId)) as Selectable<PrivacyRequestsTable>;
    await this.executeErasure(erasure, "system");
    await this.close(id, accountId, "completed", "system", `Erasure ${erasureId} done.`);
    if (row.reporter_email) {
      await this.deps.notify.sendServiceNotice(
        row.reporter_email,
        "privacy-request",
        "the account you reported was closed",
        "Thank you for your report. The account was suspended and its data erased, apart from what the law requires us to keep (privacy policy §7, §11).",
      );
    }
    return this.requestOf(id);
  }

  private async openRow(id: string) {
    const row = await this.repository.findRequest(id);
    if (!row) throw fail("PRIVACY.REQUEST_NOT_FOUND", "No such request.");
    if (CLOSED.has(row.status)) throw fail("PRIVACY.WRONG_STATE", `The request is already ${row.status}.`);
    return row;
  }

  // Scheduled work.

  /** Runs erasures whose cooling-off has ended, builds archives left building, drops expired ones. */
  async runDue(): Promise<{ erased: number; exportsBuilt: number; archivesDropped: number }> {
    const at = this.now().toISOString();
    let erased = 0;
    for (const request of await this.repository.erasuresDue(at)) {
      if (await this.executeErasure(request, "system")) erased++;
    }
    let exportsBuilt = 0;
    // Archives the process that took them did not finish (it stopped), after a grace period.
    const stale = new Date(this.now().getTime() - 10 * 60_000).toISOString();
    for (const pending of await this.repository.exportsBuilding(stale)) {
      const subject = await this.subjectOf(pending.account_id);
      if (await this.buildExport(pending.id, pending.request_id, subject, true)) exportsBuilt++;
    }
    const archivesDropped = await this.repository.dropExpiredArchives(at);
    return { erased, exportsBuilt, archivesDropped };
  }
}

/**
 * Event ids sort in the order the events were written (a process's monotonic clock), so a history
 * whose steps share a timestamp still reads in order.
 */
function eventId(): string {
  return `${process.hrtime.bigint().toString().padStart(20, "0")}-${randomUUID().slice(0, 8)}`;
}

function checkDetails(text: string | undefined | null): string | null {
  if (text === undefined || text === null) return null;
  const trimmed = text.trim();
  if (trimmed.length > MAX_DETAILS)
    throw fail("PRIVACY.INVALID_REQUEST", `Keep it under ${MAX_DETAILS} characters.`);
  return trimmed.length === 0 ? null : trimmed;
}

function staffActor(staff: string): string {
  const name = staff.trim();
  if (!/^[\w.@ -]{1,80}$/.test(name))
    throw fail("PRIVACY.INVALID_REQUEST", "Name the staff member taking the step.");
  return `staff:${name}`;
}

/** The erasure letter: what went, what was kept, why and until when, and what was outstanding. */
export function erasureLetter(result: ErasureResult): string {
  const lines = [
    `Your Zaqros account was closed and your data erased on ${result.executedAt.slice(0, 10)}.`,
    "",
  ];
  for (const dataset of result.datasets) {
    if (dataset.outcome === "none held") continue;
    if (dataset.outcome === "deleted") {
      lines.push(`- ${dataset.title}: deleted.`);
      continue;
    }
    for (const kept of dataset.kept) {
      const until = kept.reasons
        .map((r) => r.until)
        .filter((u): u is string => u !== null)
        .sort()
        .at(-1);
      const why =
        [...new Set(kept.reasons.map((r) => r.hold))].join(" ") || "Kept with nothing left that names you.";
      lines.push(
        `- ${dataset.title} (${kept.table}): ${kept.rows} record(s) kept${until ? ` until ${until.slice(0, 10)}` : ""}. Why: ${why}${
          kept.pseudonymised.length
            ? ` Pseudonymised: ${kept.pseudonymised.map((p) => `${p.column} (${p.how})`).join("; ")}`
            : ""
        }`,
      );
    }
  }
  if (result.outstanding.statements.length) lines.push("", ...result.outstanding.statements);
  lines.push("", "The record of your request stays, as proof it was handled.", "", COMPLAINT_RIGHT);
  return lines.join("\n");
}
