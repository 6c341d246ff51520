import { randomUUID } from "node:crypto";
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { DomainError } from "../domain-error.ts";
import type { AccountErrorCode } from "./accounts.errors.ts";
import type { AccountsRepository } from "./accounts.repository.ts";
import type { Account, NewAccount } from "./accounts.types.ts";

export interface AccountsServiceDeps {
  repository: AccountsRepository;
  now?: () => Date;
  newId?: () => string;
}

const fail = (code: AccountErrorCode, message: string) => new DomainError(code, message);

// Deliberately simple: the verification mail is the real test of an address.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

export class AccountsService {
  private readonly repository: AccountsRepository;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(deps: AccountsServiceDeps) {
    this.repository = deps.repository;
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  async create(input: NewAccount): Promise<Account> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200)
      throw fail("ACCOUNT.INVALID_NAME", "Name must be 1 to 200 characters.");
    const email = normaliseEmail(input.email);
    const country = (input.country ?? "US").toUpperCase();
    if (!isSupportedCountry(country))
      throw fail("ACCOUNT.INVALID_COUNTRY", `Unknown country code ${country}.`);
    const currency = (input.currency ?? "USD").toUpperCase();
    if (!CURRENCIES.has(currency)) throw fail("ACCOUNT.INVALID_CURRENCY", `Unknown currency ${currency}.`);
    const phone = input.phone ? toE164(input.phone, country) : null;
    if (await this.repository.findByEmail(email)) {
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
    await this.repository.insert(account);
    return account;
  }

  /** Sets the default caller ID; the numbers domain checks the number is the account's own. */
  async setCallerId(id: string, callerId: string | null): Promise<void> {
    await this.get(id);
    await this.repository.setCallerId(id, callerId, this.now().toISOString());
  }

  async get(id: string): Promise<Account> {
    const account = await this.repository.findById(id);
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
