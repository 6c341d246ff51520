import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { AccountsService } from "../accounts/accounts.service.ts";
import { DomainError } from "../domain-error.ts";
import { ShortLivedCache } from "../short-lived-cache.ts";
import type { NumbersRepository } from "./numbers.repository.ts";
import type { OwnedNumber } from "./numbers.types.ts";

export interface NumbersServiceDeps {
  repository: NumbersRepository;
  accounts: AccountsService;
  now?: () => Date;
  /**
   * How long call routing reuses who owns a number, or that no one does (ms, default 1000).
   * Changes made through this service apply at once; changes from another node within this time.
   */
  cacheMs?: number;
}

export class NumbersService {
  private readonly now: () => Date;
  private readonly owners: ShortLivedCache<string, OwnedNumber | undefined>;

  constructor(private readonly deps: NumbersServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.owners = new ShortLivedCache({ ttlMs: deps.cacheMs ?? 1000 });
  }

  /** Assigns a number to an account; the first number becomes the account's default caller ID. */
  async assign(e164Input: string, accountId: string): Promise<OwnedNumber> {
    const parsed = parsePhoneNumberFromString(e164Input.trim());
    if (!parsed?.isPossible() || !e164Input.trim().startsWith("+")) {
      throw new DomainError(
        "NUMBER.INVALID",
        `${e164Input.slice(0, 30)} is not an E.164 number such as +15551234567.`,
      );
    }
    const account = await this.deps.accounts.get(accountId);
    if (await this.deps.repository.find(parsed.number)) {
      throw new DomainError("NUMBER.TAKEN", `${parsed.number} already belongs to an account.`);
    }
    const number: OwnedNumber = { e164: parsed.number, accountId, createdAt: this.now().toISOString() };
    await this.deps.repository.insert(number);
    this.owners.forget(number.e164);
    if (!account.callerId) await this.deps.accounts.setCallerId(accountId, number.e164);
    return number;
  }

  /** The owner of a number we hold, or undefined when the number is not ours. */
  owner(e164: string): Promise<OwnedNumber | undefined> {
    return this.owners.get(e164, () => this.deps.repository.find(e164));
  }

  list(accountId: string): Promise<OwnedNumber[]> {
    return this.deps.repository.listByAccount(accountId);
  }
}
