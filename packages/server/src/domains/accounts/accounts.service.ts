import { randomUUID } from "node:crypto";
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { Executor } from "../../db/write-transaction.ts";
import { DomainError } from "../domain-error.ts";
import { ShortLivedCache } from "../short-lived-cache.ts";
import type { AccountErrorCode } from "./accounts.errors.ts";
import type { AccountsRepository } from "./accounts.repository.ts";
import type { Account, NewAccount, ProfileChanges } from "./accounts.types.ts";

export interface AccountsServiceDeps {
  repository: AccountsRepository;
  now?: () => Date;
  newId?: () => string;
  /** How long {@link AccountsService.forSignalling} reuses an account it read (ms, default 1000). */
  cacheMs?: number;
}

const fail = (code: AccountErrorCode, message: string) => new DomainError(code, message);

// Deliberately simple: the verification mail is the real test of an address.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

export class AccountsService {
  private readonly repository: AccountsRepository;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly recent: ShortLivedCache<string, Account | undefined>;

  constructor(deps: AccountsServiceDeps) {
    this.repository = deps.repository;
    this.recent = new ShortLivedCache({ ttlMs: deps.cacheMs ?? 1000 });
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  /** Creates an account, inside `tx` when given so it commits with what the caller writes beside it. */
  async create(input: NewAccount, tx?: Executor): Promise<Account> {
    const name = checkName(input.name);
    const email = normaliseEmail(input.email);
    const country = (input.country ?? "US").toUpperCase();
    if (!isSupportedCountry(country))
      throw fail("ACCOUNT.INVALID_COUNTRY", `Unknown country code ${country}.`);
    const currency = (input.currency ?? "USD").toUpperCase();
    if (!CURRENCIES.has(currency)) throw fail("ACCOUNT.INVALID_CURRENCY", `Unknown currency ${currency}.`);
    const phone = input.phone ? toE164(input.phone, country) : null;
    if (await this.repository.findByEmail(email, tx)) {
      throw fail("ACCOUNT.EMAIL_TAKEN", "Another account already uses that email address.");
    }
    const at = this.now().toISOString();
    const account: Account = {
      id: this.newId(),
      name,
      email,
      phone,
      status: "active",
      country,
      currency,
      callerId: null,
      createdAt: at,
      updatedAt: at,
    };
    await this.repository.insert(account, tx);
    return account;
  }

  /**
   * Corrects the name or phone number the customer gave (GDPR Art. 16). A phone is read in the
   * account's country unless it starts with +, and stored in E.164; null removes it. The email
   * address changes only through the identity domain, which proves the new address first.
   */
  async correctProfile(id: string, changes: ProfileChanges): Promise<Account> {
    const account = await this.get(id);
    const name = changes.name === undefined ? account.name : checkName(changes.name);
    const phone =
      changes.phone === undefined
        ? account.phone
        : changes.phone === null || changes.phone.trim() === ""
          ? null
          : toE164(changes.phone, account.country);
    const at = this.now().toISOString();
    await this.repository.updateProfile(id, { name, phone }, at);
    this.recent.forget(id);
    return { ...account, name, phone, updatedAt: at };
  }

  /** Sets the default caller ID; the numbers domain checks the number is the account's own. */
  async setCallerId(id: string, callerId: string | null): Promise<void> {
    await this.get(id);
    await this.repository.setCallerId(id, callerId, this.now().toISOString());
    this.recent.forget(id);
  }

  async get(id: string): Promise<Account> {
    const account = await this.repository.findById(id);
    if (!account) throw fail("ACCOUNT.NOT_FOUND", "No such account.");
    return account;
  }

  /**
   * Forgets this node's copy of the account for {@link forSignalling}: for changes written outside
   * this service (the privacy domain suspending or erasing an account).
   */
  forgetCached(id: string): void {
    this.recent.forget(id);
  }

  /**
   * The account as call admission sees it: read at most `cacheMs` ago. Changes made through this
   * service apply at once; a status changed elsewhere (another node, erasure, the CLI) within
   * `cacheMs`. The result is shared: read it, do not change it.
   */
  async forSignalling(id: string): Promise<Account> {
    const account = await this.recent.get(id, () => this.repository.findById(id));
    if (!account) throw fail("ACCOUNT.NOT_FOUND", "No such account.");
    return account;
  }

  /** Every active account's id and email, page by page, for service notices to all customers. */
  async *activeContacts(pageSize = 500): AsyncGenerator<{ id: string; email: string }> {
    let after: string | null = null;
    for (;;) {
      const page = await this.repository.listActiveContacts(after, pageSize);
      yield* page;
      if (page.length < pageSize) return;
      after = page[page.length - 1]?.id ?? null;
    }
  }
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 200) {
    throw fail("ACCOUNT.INVALID_NAME", "Name must be 1 to 200 characters.");
  }
  return name;
}

export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) {
    throw fail("ACCOUNT.INVALID_EMAIL", "That does not look like an email address.");
  }
  return email;
}

export function toE164(raw: string, country: string): string {
  const parsed = parsePhoneNumberFromString(raw, country as CountryCode);
  if (!parsed?.isValid()) throw fail("ACCOUNT.INVALID_PHONE", `${raw} is not a valid phone number.`);
  return parsed.number;
}
