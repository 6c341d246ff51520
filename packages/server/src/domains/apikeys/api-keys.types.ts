/** `read` allows reading; `read-write` also allows changing things (adding a device, a key...). */
export type ApiKeyScope = "read" | "read-write";

export const API_KEY_SCOPES: readonly ApiKeyScope[] = ["read", "read-write"];

/** An API key as the customer sees it in a list: never the secret, only its first characters. */
export interface ApiKey {
  id: string;
  accountId: string;
  name: string;
  scope: ApiKeyScope;
  /** The first characters of the secret (`zq_live_AbCd`), so the customer can tell keys apart. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A new key with its secret, which is shown once and kept only as a SHA-256 hash. */
export interface CreatedApiKey extends ApiKey {
  secret: string;
}

/** Who a valid, unrevoked key acts for. */
export interface ApiKeyPrincipal {
  keyId: string;
  accountId: string;
  scope: ApiKeyScope;
}
