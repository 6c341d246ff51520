import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { CURRENT_LEGAL_VERSIONS } from "../identity/legal-versions.ts";
import { INVENTORY } from "./inventory.ts";

/** Promises of the privacy policy that no single feature's tests prove (docs/privacy-mapping.md). */

forEachDialectWithServices("privacy policy promises", (ctx) => {
  test("when a customer signs up, then the database holds only an argon2id hash of the password (m ≥ 19 MiB, t ≥ 2), never the password", async () => {
    const { services, database } = ctx();
    const password = "a password kept only as a hash";
    await services.identity.signUp({
      name: "Hash Check",
      email: "hash-check@example.test",
      password,
      confirmsAge16OrOver: true,
      acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
      acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
    });
    const row = await database.db
      .selectFrom("accounts")
      .selectAll()
      .where("email", "=", "hash-check@example.test")
      .executeTakeFirstOrThrow();
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(row.password_hash ?? "");
    assert.ok(match, `an argon2id hash: ${row.password_hash?.slice(0, 30)}`);
    assert.ok(Number(match[1]) >= 19 * 1024 && Number(match[2]) >= 2);
    assert.equal(JSON.stringify(row).includes(password), false, "the password itself is in no column");
  });
});

test("when the inventory is read, then no table holds call audio, recordings or card numbers (privacy policy §2)", () => {
  const forbidden = /audio|record(ing)?s?_?(data|file|blob)|voice|card_?(number|pan)|\bpan\b|cvv|cvc|iban/i;
  for (const [table, declaration] of Object.entries(INVENTORY)) {
    for (const column of Object.keys(declaration.columns)) {
      assert.doesNotMatch(`${table}.${column}`, forbidden);
    }
  }
  assert.ok(INVENTORY.cdrs && !("content" in INVENTORY.cdrs.columns), "a call record holds metadata only");
});
