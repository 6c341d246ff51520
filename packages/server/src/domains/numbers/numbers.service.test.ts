import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";

const code = (expected: string) => (e: unknown) => e instanceof DomainError && e.code === expected;

forEachDialectWithServices("numbers service", (ctx) => {
  test("when an account gets its first number, then the number is its caller ID and routes to it", async () => {
    const { services } = ctx();
    const account = await services.accounts.create({ name: "Did", email: "did@example.com" });
    await services.numbers.assign("+14155550100", account.id);
    await services.numbers.assign("+14155550101", account.id);
    assert.equal((await services.accounts.get(account.id)).callerId, "+14155550100");
    assert.equal((await services.numbers.owner("+14155550101"))?.accountId, account.id);
    assert.equal(await services.numbers.owner("+14155550199"), undefined);
    assert.deepEqual(
      (await services.numbers.list(account.id)).map((n) => n.e164),
      ["+14155550100", "+14155550101"],
    );
  });

  test("when a number is taken or not E.164, then it is refused", async () => {
    const { services } = ctx();
    const a = await services.accounts.create({ name: "A", email: "a-num@example.com" });
    const b = await services.accounts.create({ name: "B", email: "b-num@example.com" });
    await services.numbers.assign("+442079460000", a.id);
    await assert.rejects(services.numbers.assign("+442079460000", b.id), code("NUMBER.TAKEN"));
    await assert.rejects(services.numbers.assign("02079460000", b.id), code("NUMBER.INVALID"));
    await assert.rejects(services.numbers.assign("+1", b.id), code("NUMBER.INVALID"));
  });
});
