import type { DigestAlgorithm, DigestHash } from "./digest-algorithm.ts";
import type { NonceCountStore } from "./nonce-count-store.ts";

/** Default nonce lifetime: five minutes. */
export const DEFAULT_NONCE_LIFETIME_MS = 300_000;

/**
 * Algorithms a server offers and accepts by default, in order of preference.
 *
 * @remarks RFC 8760 §2.3: the UAS adds its challenges "in the order in which it would prefer to see
 * them used", most preferred first. SHA-256 is preferred; MD5 stays for the phones that know nothing
 * else.
 */
export const DEFAULT_SERVER_ALGORITHMS: readonly DigestAlgorithm[] = ["SHA-256", "MD5"];

/** What the challenger needs: realm, secret and clock. */
export interface DigestChallengeConfig {
  realm: string;
  /** Secret shared by every node that validates these nonces; at least 16 bytes, 32 recommended. */
  secret: Uint8Array | string;
  /** Milliseconds since the epoch, e.g. `Date.now`; tests pass a fake clock. */
  now: () => number;
  /** How long a nonce is accepted after it was issued; default 300,000 ms. */
  nonceLifetimeMs?: number;
  /** Offered and accepted algorithms, most preferred first; default SHA-256 then MD5. */
  algorithms?: readonly DigestAlgorithm[];
  /** Random source for nonces; defaults to the stack's pool of `crypto.randomBytes`. */
  randomBytes?: (size: number) => Uint8Array;
}

export interface Ha1Query {
  username: string;
  realm: string;
  /** Which stored value is wanted: the platform keeps one HA1 per hash function. */
  hash: DigestHash;
}

/**
 * The credential port: the stored H(username:realm:password) for a user, in hex, or `undefined`
 * when there is no such user (or no value stored for that hash). Like Kamailio's `auth_db` beside
 * `auth`, storage lives with the caller; errors it throws reach the caller of `verifyCredentials`.
 */
export type Ha1Lookup = (query: Ha1Query) => string | undefined | Promise<string | undefined>;

/**
 * What to do with credentials sent without `qop` (RFC 2069 clients):
 * - `"single-use"` (default): each nonce authenticates one request; a second use is answered
 *   STALE_NONCE so the client fetches a new nonce without prompting its user.
 * - `"within-lifetime"`: the nonce may be reused until it expires (replayable in that window).
 * - `"reject"`: such credentials are MALFORMED.
 */
export type LegacyNoQopPolicy = "single-use" | "within-lifetime" | "reject";

export interface DigestVerifierConfig extends DigestChallengeConfig {
  lookupHa1: Ha1Lookup;
  nonceCounts: NonceCountStore;
  /**
   * Accepts a `uri` parameter that differs from the Request-URI (see `acceptUriOnOwnHosts`).
   * Without it, only the exact Request-URI text is accepted.
   */
  acceptUri?: (uri: string) => boolean;
  legacyNoQop?: LegacyNoQopPolicy;
}
