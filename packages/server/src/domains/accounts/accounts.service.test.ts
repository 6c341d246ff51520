import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachDialect } from "../../db/testing/dialects.ts";
import { DomainError } from "../domain-error.ts";
import { AccountsRepository } from "./accounts.repository.ts";
import { AccountsService } from "./accounts.service.ts";

const rejectsWith = (code: string) => (error: unknown) => error instanceof DomainError && error.code === code;

forEachDialect("accounts service", (database) => {
  const service = () => new AccountsService({ repository: new AccountsRepository(database().db) });

  test("when an account is created, then it reads back with the email lower-cased and the phone in E.164", async () => {
    const created = await service().create({
      name: "Ada Lovelace",
      email: " Ada@Example.ORG ",
      phone: "020 7946 0958",
      country: "gb",
      currency: "gbp",
    });
    const read = await service().get(created.id);
    assert.equal(read.email, "ada@example.org");
    assert.equal(read.phone, "+442079460958");
    assert.equal(read.country, "GB");
    assert.equal(read.currency, "GBP");
    assert.equal(read.status, "active");
    assert.equal(read.createdAt, created.createdAt);
  });

  test("when a second account uses the same email in another case, then it is refused", async () => {
    await service().create({ name: "First", email: "dup@example.com" });
    await assert.rejects(
      service().create({ name: "Second", email: "DUP@example.com" }),
      rejectsWith("ACCOUNT.EMAIL_TAKEN"),
    );
  });

  test("when the input is bad, then each problem has its own code", async () => {
    await assert.rejects(
      service().create({ name: " ", email: "a@b.co" }),
      rejectsWith("ACCOUNT.INVALID_NAME"),
    );
    await assert.rejects(
      service().create({ name: "A", email: "no-at-sign" }),
      rejectsWith("ACCOUNT.INVALID_EMAIL"),
    );
    await assert.rejects(
      service().create({ name: "A", email: "a@b.co", phone: "12" }),
      rejectsWith("ACCOUNT.INVALID_PHONE"),
    );
    await assert.rejects(
      service().create({ name: "A", email: "a@b.co", country: "XX" }),
      rejectsWith("ACCOUNT.INVALID_COUNTRY"),
    );
    await assert.rejects(
      service().create({ name: "A", email: "a@b.co", currency: "ZZZ" }),
      rejectsWith("ACCOUNT.INVALID_CURRENCY"),
    );
  });

  test("when an unknown id is read, then ACCOUNT.NOT_FOUND", async () => {
    await assert.rejects(
      service().get("00000000-0000-0000-0000-000000000000"),
      rejectsWith("ACCOUNT.NOT_FOUND"),
    );
  });
});
