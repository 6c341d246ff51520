import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

forEachDialectWithServices("api keys service", (ctx) => {
  test("when a key is made, then its secret is shown once and only its hash and prefix are stored", async () => {
    const { services, database } = ctx();
    const account = await services.accounts.create({ name: "Ada", email: "ada-keys@example.com" });
    const key = await services.apiKeys.create(account.id, { name: "billing script", scope: "read" });
    assert.match(key.secret, /^zq_live_[0-9A-Za-z]{32}$/);
    assert.equal(key.prefix, key.secret.slice(0, 12));
    const rows = await database.db.selectFrom("api_keys").selectAll().where("id", "=", key.id).execute();
    assert.equal(rows[0]?.secret_hash, sha256(key.secret));
    assert.ok(!JSON.stringify(rows).includes(key.secret), "the secret is nowhere in the table");
    const listed = await services.apiKeys.list(account.id);
    assert.deepEqual(
      listed.map((k) => [k.id, k.name, k.scope, k.prefix]),
      [[key.id, "billing script", "read", key.prefix]],
    );
    assert.ok(!("secret" in (listed[0] ?? {})));
  });

  test("when a valid key is presented, then it acts for its account with its scope and its use is recorded", async () => {
    const { services, clock } = ctx();
    const account = await services.accounts.create({ name: "Bo", email: "bo-keys@example.com" });
    const key = await services.apiKeys.create(account.id, { name: "ci", scope: "read-write" });
    assert.deepEqual(await services.apiKeys.authenticate(key.secret), {
      keyId: key.id,
      accountId: account.id,
      scope: "read-write",
    });
    const [listed] = await services.apiKeys.list(account.id);
    assert.equal(listed?.lastUsedAt, clock.now().toISOString());
  });

  test("when a key is revoked, unknown or malformed, then it authenticates nobody", async () => {
    const { services } = ctx();
    const account = await services.accounts.create({ name: "Cy", email: "cy-keys@example.com" });
    const key = await services.apiKeys.create(account.id, { name: "old", scope: "read" });
    await services.apiKeys.revoke(account.id, key.id);
    assert.equal(await services.apiKeys.authenticate(key.secret), undefined);
    assert.equal(await services.apiKeys.authenticate(`zq_live_${"A".repeat(32)}`), undefined);
    assert.equal(await services.apiKeys.authenticate("' OR 1=1 --"), undefined);
    const [listed] = await services.apiKeys.list(account.id);
    assert.ok(listed?.revokedAt);
  });

  test("when another account's key id is revoked, then it is not found and the key keeps working", async () => {
    const { services } = ctx();
    const owner = await services.accounts.create({ name: "Owner", email: "owner-keys@example.com" });
    const other = await services.accounts.create({ name: "Other", email: "other-keys@example.com" });
    const key = await services.apiKeys.create(owner.id, { name: "mine", scope: "read" });
    await assert.rejects(services.apiKeys.revoke(other.id, key.id), { code: "APIKEY.NOT_FOUND" });
    assert.equal((await services.apiKeys.authenticate(key.secret))?.accountId, owner.id);
  });

  test("when a name is empty or a scope unknown, then no key is made", async () => {
    const { services } = ctx();
    const account = await services.accounts.create({ name: "Di", email: "di-keys@example.com" });
    await assert.rejects(services.apiKeys.create(account.id, { name: "  ", scope: "read" }), {
      code: "APIKEY.INVALID_NAME",
    });
    await assert.rejects(
      services.apiKeys.create(account.id, { name: "x", scope: "admin" as unknown as "read" }),
      { code: "APIKEY.INVALID_SCOPE" },
    );
    assert.deepEqual(await services.apiKeys.list(account.id), []);
  });
});
