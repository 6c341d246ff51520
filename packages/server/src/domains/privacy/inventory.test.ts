import assert from "node:assert/strict";
import { test } from "node:test";
import type { Kysely } from "kysely";
import { MIGRATIONS } from "../../db/migrations/index.ts";
import { migrateToLatest } from "../../db/migrator.ts";
import { forEachDialect } from "../../db/testing/dialects.ts";
import { INVENTORY } from "./inventory.ts";
import { findInventoryGaps } from "./inventory-check.ts";
import { PrivacyRepository } from "./privacy.repository.ts";

forEachDialect("personal-data inventory", (database) => {
  test("when every migration has run, then every column is declared and every declaration exists", async () => {
    const columns = await new PrivacyRepository(database().db).listColumns();
    assert.ok(columns.includes("accounts.email"), "the accounts table exists");
    assert.deepEqual(findInventoryGaps(columns, INVENTORY), { undeclared: [], missing: [] });
  });

  test("when a migration adds a column the inventory does not declare, then the check names it", async () => {
    const scratch = {
      ...MIGRATIONS,
      "2999-01-01-0001-scratch": {
        async up(db: Kysely<any>) {
          await db.schema.alterTable("accounts").addColumn("shoe_size", "integer").execute();
        },
      },
    };
    await migrateToLatest(database().db, scratch);
    const columns = await new PrivacyRepository(database().db).listColumns();
    assert.deepEqual(findInventoryGaps(columns, INVENTORY), {
      undeclared: ["accounts.shoe_size"],
      missing: [],
    });
  });
});

test("when a column is declared, then it says why, on which basis, how long and what erasure does", () => {
  for (const [table, declaration] of Object.entries(INVENTORY)) {
    for (const [column, decl] of Object.entries(declaration.columns)) {
      assert.ok(decl.purpose.length > 5, `${table}.${column} has a purpose`);
      if (decl.category !== "none") {
        assert.notEqual(declaration.subject, undefined, `${table} holds personal data, so names its subject`);
      }
    }
  }
});
