import type { Insertable, Kysely, Selectable } from "kysely";
import type { Database, IdentityTokensTable, SessionsTable } from "../../db/schema.ts";
import { type Executor, writeTransaction } from "../../db/write-transaction.ts";
import type { ActivityEntry, SessionInfo } from "./identity.types.ts";

function toSession(row: Selectable<SessionsTable>): SessionInfo {
  return {
    id: row.public_id,
    accountId: row.account_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    authenticatedAt: row.authenticated_at,
    expiresAt: row.expires_at,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
  };
}

/** Credentials, tokens, sessions, throttling and the connection log of portal identities. */
export class IdentityRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Runs `work` in one write transaction; pass its `tx` to every call that must commit with it. */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work);
  }

  async findCredentials(email: string) {
    return this.db
      .selectFrom("accounts")
      .select(["id", "email", "password_hash", "status", "totp_secret", "totp_enabled_at", "totp_last_step"])
      .where("email", "=", email)
      .executeTakeFirst();
  }

  async findAccount(id: string) {
    return this.db
      .selectFrom("accounts")
      .select([
        "id",
        "email",
        "password_hash",
        "status",
        "totp_secret",
        "totp_enabled_at",
        "email_verified_at",
      ])
      .where("id", "=", id)
      .executeTakeFirst();
  }

  async setPasswordHash(accountId: string, hash: string, at: string, tx: Executor = this.db) {
    await tx
      .updateTable("accounts")
      .set({ password_hash: hash, updated_at: at })
      .where("id", "=", accountId)
      .execute();
  }

  async setEmailVerified(accountId: string, at: string) {
    await this.db
      .updateTable("accounts")
      .set({ email_verified_at: at, updated_at: at })
      .where("id", "=", accountId)
      .execute();
  }

  async setTotp(accountId: string, secret: string | null, enabledAt: string | null, at: string) {
    await this.db
      .updateTable("accounts")
      .set({ totp_secret: secret, totp_enabled_at: enabledAt, totp_last_step: null, updated_at: at })
      .where("id", "=", accountId)
      .execute();
  }

  async enableTotp(accountId: string, at: string) {
    await this.db
      .updateTable("accounts")
      .set({ totp_enabled_at: at, updated_at: at })
      .where("id", "=", accountId)
      .execute();
  }

  /** Records a TOTP step as used; false when that step or a later one was used already (a replayed code). */
  async useTotpStep(accountId: string, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable("accounts")
      .set({ totp_last_step: step })
      .where("id", "=", accountId)
      .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", step)]))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setEmail(accountId: string, email: string, at: string) {
    await this.db
      .updateTable("accounts")
      .set({ email, email_verified_at: at, updated_at: at })
      .where("id", "=", accountId)
      .execute();
  }

  async insertConsent(row: Insertable<Database["consents"]>, tx: Executor = this.db) {
    await tx.insertInto("consents").values(row).execute();
  }

  async listConsents(accountId: string) {
    return this.db
      .selectFrom("consents")
      .select(["document", "version", "accepted_at"])
      .where("account_id", "=", accountId)
      .orderBy("accepted_at")
      .execute();
  }

  async insertToken(row: Selectable<IdentityTokensTable>, tx: Executor = this.db) {
    await tx.insertInto("identity_tokens").values(row).execute();
  }

  /** Marks a live token used and returns its account; undefined when unknown, used, expired or of another purpose. */
  async consumeToken(hash: string, purpose: IdentityTokensTable["purpose"], at: string) {
    return (await this.consumeTokenRow(hash, purpose, at))?.account_id;
  }

  async consumeTokenRow(hash: string, purpose: IdentityTokensTable["purpose"], at: string) {
    return this.db
      .updateTable("identity_tokens")
      .set({ used_at: at })
      .where("token_hash", "=", hash)
      .where("purpose", "=", purpose)
      .where("used_at", "is", null)
      .where("expires_at", ">", at)
      .returning(["account_id", "new_email"])
      .executeTakeFirst();
  }

  async insertSession(row: Selectable<SessionsTable>) {
    await this.db.insertInto("sessions").values(row).execute();
  }

  async findSession(idHash: string) {
    const row = await this.db
      .selectFrom("sessions")
      .selectAll()
      .where("id_hash", "=", idHash)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async touchSession(idHash: string, at: string, authenticatedAt?: string) {
    await this.db
      .updateTable("sessions")
      .set(authenticatedAt ? { last_seen_at: at, authenticated_at: authenticatedAt } : { last_seen_at: at })
      .where("id_hash", "=", idHash)
      .execute();
  }

  async deleteSessionByHash(idHash: string) {
    await this.db.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
  }

  async deleteSession(accountId: string, publicId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("sessions")
      .where("account_id", "=", accountId)
      .where("public_id", "=", publicId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteOtherSessions(accountId: string, keepIdHash: string) {
    await this.db
      .deleteFrom("sessions")
      .where("account_id", "=", accountId)
      .where("id_hash", "!=", keepIdHash)
      .execute();
  }

  async deleteAllSessions(accountId: string) {
    await this.db.deleteFrom("sessions").where("account_id", "=", accountId).execute();
  }

  async listSessions(accountId: string, liveAfter: string) {
    const rows = await this.db
      .selectFrom("sessions")
      .selectAll()
      .where("account_id", "=", accountId)
      .where("expires_at", ">", liveAfter)
      .orderBy("created_at", "desc")
      .execute();
    return rows.map(toSession);
  }

  async findThrottle(key: string) {
    return this.db.selectFrom("login_throttle").selectAll().where("key", "=", key).executeTakeFirst();
  }

  async saveThrottle(key: string, failures: number, lockedUntil: string | null, at: string) {
    await this.db
      .insertInto("login_throttle")
      .values({ key, failures, locked_until: lockedUntil, updated_at: at })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({ failures, locked_until: lockedUntil, updated_at: at }),
      )
      .execute();
  }

  async clearThrottle(key: string) {
    await this.db.deleteFrom("login_throttle").where("key", "=", key).execute();
  }

  async replaceRecoveryCodes(accountId: string, hashes: readonly string[], at: string) {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("recovery_codes").where("account_id", "=", accountId).execute();
      if (hashes.length > 0) {
        await tx
          .insertInto("recovery_codes")
          .values(
            hashes.map((code_hash) => ({ code_hash, account_id: accountId, used_at: null, created_at: at })),
          )
          .execute();
      }
    });
  }

  async consumeRecoveryCode(accountId: string, hash: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable("recovery_codes")
      .set({ used_at: at })
      .where("code_hash", "=", hash)
      .where("account_id", "=", accountId)
      .where("used_at", "is", null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async logActivity(row: Selectable<Database["connection_log"]>) {
    await this.db.insertInto("connection_log").values(row).execute();
  }

  /** When this key was last logged from this address since `since`; undefined when not. */
  async latestApiUse(accountId: string, apiKeyId: string, ipAddress: string | null, since: string) {
    const row = await this.db
      .selectFrom("connection_log")
      .select("created_at")
      .where("account_id", "=", accountId)
      .where("api_key_id", "=", apiKeyId)
      .where("created_at", ">", since)
      .where((eb) => (ipAddress === null ? eb("ip_address", "is", null) : eb("ip_address", "=", ipAddress)))
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst();
    return row?.created_at;
  }

  async listTotpSecrets(): Promise<Array<{ id: string; totp_secret: string }>> {
    const rows = await this.db
      .selectFrom("accounts")
      .select(["id", "totp_secret"])
      .where("totp_secret", "is not", null)
      .execute();
    return rows.flatMap((row) =>
      row.totp_secret === null ? [] : [{ id: row.id, totp_secret: row.totp_secret }],
    );
  }

  /** Replaces a TOTP secret only if it is still `expected` (a concurrent change wins); returns whether it did. */
  async replaceTotpSecret(accountId: string, expected: string, replacement: string, at: string) {
    const result = await this.db
      .updateTable("accounts")
      .set({ totp_secret: replacement, updated_at: at })
      .where("id", "=", accountId)
      .where("totp_secret", "=", expected)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async listActivity(accountId: string, limit: number): Promise<ActivityEntry[]> {
    const rows = await this.db
      .selectFrom("connection_log")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("created_at", "desc")
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      event: row.event,
      ipAddress: row.ip_address,
      userAgent: row.user_agent,
      country: row.country,
      city: row.city,
      apiKeyId: row.api_key_id,
      at: row.created_at,
    }));
  }
}
