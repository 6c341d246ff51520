import { randomBytes, randomUUID } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import type { Executor } from "../../db/write-transaction.ts";
import type { AccountsService } from "../accounts/accounts.service.ts";
import { normaliseEmail } from "../accounts/accounts.service.ts";
import { DomainError } from "../domain-error.ts";
import type { NotifyService } from "../notify/notify.service.ts";
import type { IdentityErrorCode } from "./identity.errors.ts";
import type { IdentityRepository } from "./identity.repository.ts";
import type {
  ActivityEntry,
  ClientInfo,
  LegalVersions,
  LoginInput,
  NewSession,
  SessionInfo,
  SignUpInput,
  TwoFactorSetup,
} from "./identity.types.ts";
import { type GeoLookup, UNKNOWN_PLACE } from "./ip-location.ts";
import { FORGET_AFTER_SECONDS, FREE_FAILURES, lockSeconds } from "./login-throttle.ts";
import { passwordHasher } from "./password-hasher.ts";
import { checkNewPassword } from "./password-policy.ts";
import { SecretBox } from "./secret-box.ts";
import { csrfTokenFor, newSecretToken, tokenHash } from "./secret-token.ts";

export interface SessionPolicy {
  /** A session unused this long ends. */
  idleSeconds: number;
  /** A session ends this long after sign-in, used or not. */
  absoluteSeconds: number;
  /** Changing email, password or two-factor needs the password proven this recently. */
  reauthenticateSeconds: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleSeconds: 30 * 60,
  absoluteSeconds: 12 * 60 * 60,
  reauthenticateSeconds: 10 * 60,
};

const VERIFY_EMAIL_SECONDS = 48 * 60 * 60;
const PASSWORD_RESET_SECONDS = 30 * 60;
const RECOVERY_CODE_COUNT = 10;

/** API use is written to the connection log at most once an hour per key and address. */
const API_USE_EVERY_MS = 60 * 60 * 1000;
/** Key-and-address pairs remembered between database checks; beyond this the oldest are forgotten. */
const API_USE_MEMORY = 10_000;

/** One authenticated API request, as the HTTP edge saw it. */
export interface ApiUse extends ClientInfo {
  accountId: string;
  apiKeyId: string;
}

export interface IdentityServiceDeps {
  repository: IdentityRepository;
  accounts: AccountsService;
  notify: NotifyService;
  legal: LegalVersions;
  policy?: Partial<SessionPolicy>;
  /** Places of addresses for the connection log; default: every place unknown. */
  geo?: GeoLookup;
  /** Seals TOTP seeds at rest (a key derived from the server secret). */
  secretBox: SecretBox;
  now?: () => Date;
}

const fail = (code: IdentityErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, message, details);

const plus = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000).toISOString();

/** Sign-up, sign-in, sessions, password reset, two-factor and the connection log of portal customers. */
export class IdentityService {
  private readonly repository: IdentityRepository;
  private readonly now: () => Date;
  private readonly policy: SessionPolicy;
  private readonly geo: GeoLookup;
  private readonly secretBox: SecretBox;
  /** When each key-and-address pair was last written to the connection log, by this node. */
  private readonly apiUseWritten = new Map<string, number>();

  constructor(private readonly deps: IdentityServiceDeps) {
    this.repository = deps.repository;
    this.now = deps.now ?? (() => new Date());
    this.policy = { ...DEFAULT_SESSION_POLICY, ...deps.policy };
    this.geo = deps.geo ?? (async () => UNKNOWN_PLACE);
    this.secretBox = deps.secretBox;
  }

  get legalVersions(): LegalVersions {
    return this.deps.legal;
  }

  /**
   * Creates the account and mails a verification link. An email already in use gets a notice
   * instead, and the caller sees the same outcome, so sign-up does not reveal who has an account.
   */
  async signUp(input: SignUpInput): Promise<void> {
    if (!input.confirmsAge16OrOver) {
      throw fail("IDENTITY.AGE_NOT_CONFIRMED", "You must be 16 or older to use Zaqros.");
    }
    if (
      input.acceptedTermsVersion !== this.deps.legal.terms ||
      input.acceptedPrivacyVersion !== this.deps.legal.privacy
    ) {
      throw fail("IDENTITY.TERMS_NOT_ACCEPTED", "Accept the current Terms and Privacy Policy to sign up.", {
        current: this.deps.legal,
      });
    }
    checkNewPassword(input.password);
    const email = normaliseEmail(input.email);
    if (await this.repository.findCredentials(email)) {
      await this.deps.notify.sendSecurityNotice(
        email,
        "Someone tried to sign up for Zaqros with this email address, which already has an account. To get in, use the password reset on the sign-in page.",
      );
      return;
    }
    const hash = await passwordHasher.hash(input.password);
    // The account, its password, both consents and the verification link commit together or not
    // at all: a failure half-way leaves no account without a password or without its consents.
    const token = await this.repository.transaction(async (tx) => {
      const account = await this.deps.accounts.create(
        { name: input.name, email, phone: input.phone, country: input.country },
        tx,
      );
      const at = this.now().toISOString();
      await this.repository.setPasswordHash(account.id, hash, at, tx);
      for (const [document, version] of [
        ["terms", this.deps.legal.terms],
        ["privacy", this.deps.legal.privacy],
      ] as const) {
        await this.repository.insertConsent(
          { id: randomUUID(), account_id: account.id, document, version, accepted_at: at },
          tx,
        );
      }
      return this.issueToken(account.id, "verify-email", VERIFY_EMAIL_SECONDS, null, tx);
    });
    // Mail goes once the account exists for good; a link to an account rolled back would be a lie.
    await this.deps.notify.sendEmailVerification(email, token);
  }

  private async issueToken(
    accountId: string,
    purpose: "verify-email" | "password-reset" | "change-email",
    seconds: number,
    newEmail: string | null = null,
    tx?: Executor,
  ) {
    const token = newSecretToken();
    const at = this.now();
    await this.repository.insertToken(
      {
        token_hash: tokenHash(token),
        account_id: accountId,
        purpose,
        new_email: newEmail,
        expires_at: plus(at, seconds),
        used_at: null,
        created_at: at.toISOString(),
      },
      tx,
    );
    return token;
  }

  async verifyEmail(token: string): Promise<void> {
    const at = this.now().toISOString();
    const accountId = await this.repository.consumeToken(tokenHash(token), "verify-email", at);
    if (!accountId) throw fail("IDENTITY.INVALID_TOKEN", "That link is unknown, already used or expired.");
    await this.repository.setEmailVerified(accountId, at);
  }

  /** Whether the account proved its email address; the SIP edge refuses calls until it has. */
  async isEmailVerified(accountId: string): Promise<boolean> {
    const account = await this.repository.findAccount(accountId);
    return Boolean(account?.email_verified_at);
  }

  async emailVerifiedAt(accountId: string): Promise<string | null> {
    return (await this.repository.findAccount(accountId))?.email_verified_at ?? null;
  }

  /**
   * Checks the password (and the two-factor code when the account uses it) and opens a new
   * session with a new id. Failures count per email and per address; past a few, attempts wait
   * a doubling delay capped at 15 minutes.
   */
  async login(input: LoginInput): Promise<NewSession> {
    const email = input.email.trim().toLowerCase();
    const keys = [
      { key: emailThrottleKey(email), free: FREE_FAILURES.email },
      ...(input.ipAddress ? [{ key: `address:${input.ipAddress}`, free: FREE_FAILURES.address }] : []),
    ];
    const now = this.now();
    for (const { key } of keys) {
      const row = await this.repository.findThrottle(key);
      if (row?.locked_until && row.locked_until > now.toISOString()) {
        const retryAfterSeconds = Math.ceil((Date.parse(row.locked_until) - now.getTime()) / 1000);
        throw fail("IDENTITY.TOO_MANY_ATTEMPTS", "Too many failed sign-ins; try again shortly.", {
          retryAfterSeconds,
        });
      }
    }
    const account = await this.repository.findCredentials(email);
    const passwordOk = await passwordHasher.verify(account?.password_hash ?? null, input.password);
    if (!account || !passwordOk || account.status === "closed") {
      await this.recordFailure(keys, now);
      throw fail("IDENTITY.INVALID_CREDENTIALS", "The email address or password is wrong.");
    }
    if (account.totp_enabled_at && account.totp_secret) {
      if (!input.totp) {
        throw fail("IDENTITY.TWO_FACTOR_REQUIRED", "Enter the code from your authenticator app.");
      }
      const secret = this.openTotpSecret(account.id, account.totp_secret);
      if (!(await this.checkSecondFactor(account.id, secret, input.totp))) {
        await this.recordFailure(keys, now);
        await this.log(account.id, "two-factor-failed", input);
        throw fail("IDENTITY.INVALID_TWO_FACTOR_CODE", "That code is wrong or already used.");
      }
    }
    for (const { key } of keys) await this.repository.clearThrottle(key);
    const session = await this.openSession(account.id, input);
    await this.log(account.id, "sign-in", input);
    return session;
  }

  private async recordFailure(keys: readonly { key: string; free: number }[], now: Date) {
    for (const { key, free } of keys) {
      const row = await this.repository.findThrottle(key);
      const stale = !row || Date.parse(row.updated_at) + FORGET_AFTER_SECONDS * 1000 <= now.getTime();
      const failures = (stale ? 0 : row.failures) + 1;
      const wait = lockSeconds(failures, free);
      await this.repository.saveThrottle(key, failures, wait > 0 ? plus(now, wait) : null, now.toISOString());
    }
  }

  private async checkSecondFactor(accountId: string, secret: string, code: string): Promise<boolean> {
    const compact = code.replace(/[\s-]/g, "");
    if (/^\d{6}$/.test(compact)) return this.useTotpCode(accountId, secret, compact);
    return this.repository.consumeRecoveryCode(
      accountId,
      tokenHash(compact.toUpperCase()),
      this.now().toISOString(),
    );
  }

  /**
   * Accepts a TOTP code of the current step or one step either side (clock drift), once.
   *
   * @remarks RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP after the
   * successful validation has been issued for the first OTP, which ensures one-time only use of an OTP."
   */
  private async useTotpCode(accountId: string, secret: string, code: string): Promise<boolean> {
    const timestamp = this.now().getTime();
    const delta = totpFor(secret).validate({ token: code, timestamp, window: 1 });
    if (delta === null) return false;
    return this.repository.useTotpStep(accountId, Math.floor(timestamp / 30_000) + delta);
  }

  private async openSession(accountId: string, client: ClientInfo): Promise<NewSession> {
    const token = newSecretToken();
    const now = this.now();
    const row = {
      id_hash: tokenHash(token),
      public_id: randomUUID(),
      account_id: accountId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      authenticated_at: now.toISOString(),
      expires_at: plus(now, this.policy.absoluteSeconds),
      ip_address: client.ipAddress,
      user_agent: client.userAgent?.slice(0, 512) ?? null,
    };
    await this.repository.insertSession(row);
    const session = await this.repository.findSession(row.id_hash);
    if (!session) throw new Error("session vanished after insert");
    return { token, csrfToken: csrfTokenFor(token), session };
  }

  /** The live session a cookie names, refreshed; undefined when unknown, idle too long or past its end. */
  async resumeSession(token: string): Promise<SessionInfo | undefined> {
    const hash = tokenHash(token);
    const session = await this.repository.findSession(hash);
    if (!session) return undefined;
    const now = this.now();
    const idleEnd = Date.parse(session.lastSeenAt) + this.policy.idleSeconds * 1000;
    if (Date.parse(session.expiresAt) <= now.getTime() || idleEnd <= now.getTime()) {
      await this.repository.deleteSessionByHash(hash);
      return undefined;
    }
    await this.repository.touchSession(hash, now.toISOString());
    return { ...session, lastSeenAt: now.toISOString() };
  }

  csrfTokenFor(token: string): string {
    return csrfTokenFor(token);
  }

  async logout(token: string): Promise<void> {
    await this.repository.deleteSessionByHash(tokenHash(token));
  }

  listSessions(accountId: string): Promise<SessionInfo[]> {
    return this.repository.listSessions(accountId, this.now().toISOString());
  }

  async endSession(accountId: string, sessionId: string): Promise<void> {
    if (!(await this.repository.deleteSession(accountId, sessionId))) {
      throw fail("IDENTITY.SESSION_NOT_FOUND", "No such session.");
    }
  }

  /** Proves the password again inside a session, opening the window for sensitive changes. */
  async reauthenticate(token: string, password: string): Promise<void> {
    const session = await this.resumeSession(token);
    if (!session) throw fail("IDENTITY.NOT_SIGNED_IN", "Sign in first.");
    const account = await this.repository.findAccount(session.accountId);
    if (!account || !(await passwordHasher.verify(account.password_hash, password))) {
      throw fail("IDENTITY.INVALID_CREDENTIALS", "The password is wrong.");
    }
    const at = this.now().toISOString();
    await this.repository.touchSession(tokenHash(token), at, at);
  }

  private requireRecentAuthentication(session: SessionInfo) {
    const age = this.now().getTime() - Date.parse(session.authenticatedAt);
    if (age > this.policy.reauthenticateSeconds * 1000) {
      throw fail("IDENTITY.REAUTHENTICATION_REQUIRED", "Enter your password again to make this change.");
    }
  }

  /** Always succeeds for the caller, so it does not reveal whether an account has that email. */
  async requestPasswordReset(rawEmail: string): Promise<void> {
    const email = rawEmail.trim().toLowerCase();
    const account = await this.repository.findCredentials(email);
    if (!account || account.status === "closed") return;
    const token = await this.issueToken(account.id, "password-reset", PASSWORD_RESET_SECONDS);
    await this.deps.notify.sendPasswordReset(account.email, token);
  }

  /** Sets the new password, uses up the link and ends every session of the account. */
  async confirmPasswordReset(token: string, newPassword: string, client: ClientInfo): Promise<void> {
    checkNewPassword(newPassword);
    const at = this.now().toISOString();
    const accountId = await this.repository.consumeToken(tokenHash(token), "password-reset", at);
    if (!accountId) throw fail("IDENTITY.INVALID_TOKEN", "That link is unknown, already used or expired.");
    await this.repository.setPasswordHash(accountId, await passwordHasher.hash(newPassword), at);
    await this.repository.deleteAllSessions(accountId);
    await this.repository.clearThrottle(emailThrottleKey((await this.deps.accounts.get(accountId)).email));
    await this.log(accountId, "password-reset", client);
    const account = await this.deps.accounts.get(accountId);
    await this.deps.notify.sendSecurityNotice(account.email, "Your Zaqros password was changed.");
  }

  async setUpTwoFactor(session: SessionInfo): Promise<TwoFactorSetup> {
    this.requireRecentAuthentication(session);
    const account = await this.deps.accounts.get(session.accountId);
    const current = await this.repository.findAccount(session.accountId);
    if (current?.totp_enabled_at) {
      throw fail("IDENTITY.TWO_FACTOR_ALREADY_ENABLED", "Two-factor sign-in is already on.");
    }
    const secret = new Secret({ size: 20 }).base32;
    await this.repository.setTotp(
      session.accountId,
      this.secretBox.seal(secret, session.accountId),
      null,
      this.now().toISOString(),
    );
    const totp = totpFor(secret, account.email);
    return { secret, uri: totp.toString() };
  }

  /** Switches two-factor on once a code proves the app holds the secret; returns the recovery codes, shown once. */
  async enableTwoFactor(session: SessionInfo, code: string): Promise<string[]> {
    this.requireRecentAuthentication(session);
    const account = await this.repository.findAccount(session.accountId);
    if (!account?.totp_secret) throw fail("IDENTITY.TWO_FACTOR_NOT_SET_UP", "Set up two-factor first.");
    if (account.totp_enabled_at) {
      throw fail("IDENTITY.TWO_FACTOR_ALREADY_ENABLED", "Two-factor sign-in is already on.");
    }
    const secret = this.openTotpSecret(session.accountId, account.totp_secret);
    if (!(await this.useTotpCode(session.accountId, secret, code.replace(/\s/g, "")))) {
      throw fail("IDENTITY.INVALID_TWO_FACTOR_CODE", "That code is wrong.");
    }
    const at = this.now().toISOString();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.repository.replaceRecoveryCodes(session.accountId, codes.map(tokenHash), at);
    await this.repository.enableTotp(session.accountId, at);
    await this.deps.notify.sendSecurityNotice(
      account.email,
      "Two-factor sign-in was switched on for your account.",
    );
    return codes;
  }

  /** Changes the password inside a recently re-authenticated session; every other session ends. */
  async changePassword(session: SessionInfo & { token: string }, newPassword: string): Promise<void> {
    this.requireRecentAuthentication(session);
    checkNewPassword(newPassword);
    const at = this.now().toISOString();
    await this.repository.setPasswordHash(session.accountId, await passwordHasher.hash(newPassword), at);
    await this.repository.deleteOtherSessions(session.accountId, tokenHash(session.token));
    const account = await this.deps.accounts.get(session.accountId);
    await this.deps.notify.sendSecurityNotice(account.email, "Your Zaqros password was changed.");
  }

  /**
   * Mails a confirmation link to the new address; the account moves to it only when the link is
   * used. An address already taken gets no link, and the caller sees the same outcome.
   */
  async requestEmailChange(session: SessionInfo, rawEmail: string): Promise<void> {
    this.requireRecentAuthentication(session);
    const email = normaliseEmail(rawEmail);
    if (await this.repository.findCredentials(email)) return;
    const token = await this.issueToken(session.accountId, "change-email", VERIFY_EMAIL_SECONDS, email);
    await this.deps.notify.sendEmailChange(email, token);
  }

  async confirmEmailChange(token: string): Promise<void> {
    const at = this.now().toISOString();
    const row = await this.repository.consumeTokenRow(tokenHash(token), "change-email", at);
    if (!row?.new_email)
      throw fail("IDENTITY.INVALID_TOKEN", "That link is unknown, already used or expired.");
    if (await this.repository.findCredentials(row.new_email)) {
      throw new DomainError("ACCOUNT.EMAIL_TAKEN", "Another account already uses that email address.");
    }
    const previous = await this.deps.accounts.get(row.account_id);
    await this.repository.setEmail(row.account_id, row.new_email, at);
    await this.deps.notify.sendSecurityNotice(
      previous.email,
      `The email address of your Zaqros account was changed to ${row.new_email}.`,
    );
  }

  async disableTwoFactor(session: SessionInfo): Promise<void> {
    this.requireRecentAuthentication(session);
    const account = await this.repository.findAccount(session.accountId);
    if (!account?.totp_enabled_at) throw fail("IDENTITY.TWO_FACTOR_NOT_SET_UP", "Two-factor sign-in is off.");
    const at = this.now().toISOString();
    await this.repository.setTotp(session.accountId, null, null, at);
    await this.repository.replaceRecoveryCodes(session.accountId, [], at);
    await this.deps.notify.sendSecurityNotice(
      account.email,
      "Two-factor sign-in was switched off for your account.",
    );
  }

  async twoFactorEnabled(accountId: string): Promise<boolean> {
    return Boolean((await this.repository.findAccount(accountId))?.totp_enabled_at);
  }

  listActivity(accountId: string, limit = 50): Promise<ActivityEntry[]> {
    return this.repository.listActivity(accountId, limit);
  }

  /**
   * Writes an API request to the connection log (address, user agent, place, key), at most once an
   * hour for each key and address: the customer sees where each key is used from without the log
   * growing with every request. Returns whether it wrote. Checked in memory first, then in the
   * database, so several nodes sharing one database also write about once an hour.
   */
  async recordApiUse(use: ApiUse): Promise<boolean> {
    const pair = `${use.apiKeyId} ${use.ipAddress ?? ""}`;
    const now = this.now().getTime();
    const written = this.apiUseWritten.get(pair);
    if (written !== undefined && now - written < API_USE_EVERY_MS) return false;
    // Claimed before the first await, so concurrent requests of one key write once.
    this.apiUseWritten.delete(pair);
    this.apiUseWritten.set(pair, now);
    if (this.apiUseWritten.size > API_USE_MEMORY) {
      const oldest = this.apiUseWritten.keys().next().value;
      if (oldest !== undefined) this.apiUseWritten.delete(oldest);
    }
    const since = new Date(now - API_USE_EVERY_MS).toISOString();
    const latest = await this.repository.latestApiUse(use.accountId, use.apiKeyId, use.ipAddress, since);
    if (latest) {
      this.apiUseWritten.set(pair, Date.parse(latest));
      return false;
    }
    await this.log(use.accountId, "api-use", use, use.apiKeyId);
    return true;
  }

  /**
   * Seals TOTP seeds stored in plain text before seeds were sealed; returns how many. Start-up runs
   * it, so a database from an older version holds no readable seed after its first start.
   */
  async sealPlainTotpSecrets(): Promise<number> {
    let sealed = 0;
    for (const row of await this.repository.listTotpSecrets()) {
      if (SecretBox.isSealed(row.totp_secret)) continue;
      const at = this.now().toISOString();
      if (
        await this.repository.replaceTotpSecret(
          row.id,
          row.totp_secret,
          this.secretBox.seal(row.totp_secret, row.id),
          at,
        )
      ) {
        sealed++;
      }
    }
    return sealed;
  }

  /** The seed of a stored TOTP secret; one left plain from before sealing still works (and start-up seals it). */
  private openTotpSecret(accountId: string, stored: string): string {
    return SecretBox.isSealed(stored) ? this.secretBox.open(stored, accountId) : stored;
  }

  private async log(accountId: string, event: string, client: ClientInfo, apiKeyId: string | null = null) {
    const place = client.ipAddress
      ? await this.geo(client.ipAddress).catch(() => UNKNOWN_PLACE)
      : UNKNOWN_PLACE;
    await this.repository.logActivity({
      id: randomUUID(),
      account_id: accountId,
      event,
      ip_address: client.ipAddress,
      user_agent: client.userAgent?.slice(0, 512) ?? null,
      country: place.country,
      city: place.city,
      api_key_id: apiKeyId,
      created_at: this.now().toISOString(),
    });
  }
}

/** RFC 6238 with its defaults: HMAC-SHA-1, 6 digits, 30-second steps (what authenticator apps expect). */
function totpFor(secret: string, label = "Zaqros"): TOTP {
  return new TOTP({
    issuer: "Zaqros",
    label,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret),
  });
}

/** The throttle counts by a hash of the email, so the table holds no addresses (and none that never had an account). */
function emailThrottleKey(email: string): string {
  return `email:${tokenHash(email)}`;
}

const RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** Ten characters from 32 symbols: 50 bits, plenty for a single-use code kept as SHA-256. */
function newRecoveryCode(): string {
  return [...randomBytes(10)].map((byte) => RECOVERY_ALPHABET[byte % 32]).join("");
}
