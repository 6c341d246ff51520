import { randomUUID } from "node:crypto";
import type { AccountsService } from "../accounts/accounts.service.ts";
import { DomainError } from "../domain-error.ts";
import {
  generateApiKeySecret,
  hashApiKeySecret,
  looksLikeApiKeySecret,
  visiblePrefix,
} from "./api-key-secret.ts";
import type { ApiKeyErrorCode } from "./api-keys.errors.ts";
import type { ApiKeysRepository } from "./api-keys.repository.ts";
import {
  API_KEY_SCOPES,
  type ApiKey,
  type ApiKeyPrincipal,
  type ApiKeyScope,
  type CreatedApiKey,
} from "./api-keys.types.ts";

export interface ApiKeysServiceDeps {
  repository: ApiKeysRepository;
  accounts: AccountsService;
  now?: () => Date;
  /** Active (unrevoked) keys an account may hold at once; default 25. */
  maxActiveKeys?: number;
}

const fail = (code: ApiKeyErrorCode, message: string) => new DomainError(code, message);

const KEY_NAME = /^[^\p{Cc}]{1,100}$/u;
/** last_used_at is written at most this often per key, so busy keys cost no write per request. */
const TOUCH_INTERVAL_MS = 60_000;

/** API keys: made with their secret shown once, stored hashed, scoped, revocable. */
export class ApiKeysService {
  private readonly now: () => Date;
  private readonly maxActiveKeys: number;

  constructor(private readonly deps: ApiKeysServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.maxActiveKeys = deps.maxActiveKeys ?? 25;
  }

  async create(accountId: string, input: { name: string; scope: ApiKeyScope }): Promise<CreatedApiKey> {
    const name = input.name.trim();
    if (!KEY_NAME.test(name)) throw fail("APIKEY.INVALID_NAME", "The name must be 1 to 100 characters.");
    if (!API_KEY_SCOPES.includes(input.scope)) {
      throw fail("APIKEY.INVALID_SCOPE", "The scope must be read or read-write.");
    }
    await this.deps.accounts.get(accountId);
    if ((await this.deps.repository.countActive(accountId)) >= this.maxActiveKeys) {
      throw fail(
        "APIKEY.LIMIT_REACHED",
        `An account may have at most ${this.maxActiveKeys} active API keys.`,
      );
    }
    const secret = generateApiKeySecret();
    const key: ApiKey = {
      id: randomUUID(),
      accountId,
      name,
      scope: input.scope,
      prefix: visiblePrefix(secret),
      createdAt: this.now().toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.deps.repository.insert({ ...key, secretHash: hashApiKeySecret(secret) });
    return { ...key, secret };
  }

  list(accountId: string): Promise<ApiKey[]> {
    return this.deps.repository.listByAccount(accountId);
  }

  async revoke(accountId: string, id: string): Promise<void> {
    const revoked = await this.deps.repository.revoke(accountId, id, this.now().toISOString());
    if (!revoked) throw fail("APIKEY.NOT_FOUND", "No API key has that id.");
  }

  /**
   * The account and scope a secret acts for, or undefined when it is malformed, unknown or
   * revoked. Records when the key was last used, at most once a minute.
   */
  async authenticate(secret: string): Promise<ApiKeyPrincipal | undefined> {
    if (!looksLikeApiKeySecret(secret)) return undefined;
    const key = await this.deps.repository.findByHash(hashApiKeySecret(secret));
    if (!key || key.revokedAt !== null) return undefined;
    const now = this.now();
    if (key.lastUsedAt === null || now.getTime() - Date.parse(key.lastUsedAt) >= TOUCH_INTERVAL_MS) {
      await this.deps.repository.touch(key.id, now.toISOString());
    }
    return { keyId: key.id, accountId: key.accountId, scope: key.scope };
  }
}
