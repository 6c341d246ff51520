import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";

const code = (expected: string, message?: RegExp) => (e: unknown) =>
  e instanceof DomainError && e.code === expected && (!message || message.test(e.message));

const HEADER = "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment,effective_from";

forEachDialectWithServices("rating service", (ctx) => {
  const newAccount = async (email: string, currency = "USD") =>
    (await ctx().services.accounts.create({ name: "Rated", email, currency })).id;

  test("when a deck is imported for a new plan, then the plan exists and prices calls by longest prefix", async () => {
    const { services } = ctx();
    const result = await services.rating.importDeck(
      "Retail",
      `${HEADER}\n44,0.10,0,60,60,\n4420,0.05,0,1,1,\n`,
    );
    assert.equal(result.created, true);
    assert.equal(result.imported, 2);
    const account = await newAccount("rated@example.com");
    await services.rating.assignPlan(account, "Retail");
    const rate = await services.rating.rateCall({
      accountId: account,
      direction: "outbound",
      destination: "+442079460958",
      at: new Date("2026-12-01T00:00:00Z"),
    });
    assert.deepEqual(
      { prefix: rate.prefix, price: rate.pricePerMinute, planId: rate.planId, currency: rate.currency },
      { prefix: "4420", price: 50_000, planId: result.planId, currency: "USD" },
    );
    await assert.rejects(
      services.rating.rateCall({
        accountId: account,
        direction: "outbound",
        destination: "+33142685300",
        at: new Date("2026-12-01T00:00:00Z"),
      }),
      code("RATING.NO_RATE"),
    );
  });

  test("when a new deck is loaded ahead of its start, then calls use it only from its effective time", async () => {
    const { services } = ctx();
    await services.rating.importDeck("Ahead", `${HEADER}\n49,0.02,0,60,60,\n`);
    const account = await newAccount("ahead@example.com");
    await services.rating.assignPlan(account, "Ahead");
    const price = async (iso: string) =>
      (
        await services.rating.rateCall({
          accountId: account,
          direction: "outbound",
          destination: "+4930123456",
          at: new Date(iso),
        })
      ).pricePerMinute;
    assert.equal(await price("2027-01-01T00:00:00Z"), 20_000);
    await services.rating.importDeck("Ahead", `${HEADER}\n49,0.03,0,60,60,2027-01-01T00:00:00Z\n`);
    assert.equal(await price("2026-12-31T23:59:59Z"), 20_000, "the old row until the new one starts");
    assert.equal(await price("2027-01-01T00:00:00Z"), 30_000, "the rate table was rebuilt after the import");
  });

  test("when a deck has a bad row, then nothing changes, not even for a plan that exists", async () => {
    const { services } = ctx();
    await services.rating.importDeck("Atomic", `${HEADER}\n1,0.01,0,1,1,\n`);
    const before = await services.rating.exportDeck("Atomic");
    await assert.rejects(
      services.rating.importDeck("Atomic", `${HEADER}\n1,0.99,0,1,1,\n2,0.01,0,1,1,\n3,x,0,1,1,\n`),
      code("RATING.INVALID_DECK", /^Line 4: price_per_minute/),
    );
    assert.equal(await services.rating.exportDeck("Atomic"), before);
    await assert.rejects(
      services.rating.importDeck("Never", `${HEADER}\n1,0.01,0,1,1,\n1,0.01,0,1,1,\n`),
      code("RATING.INVALID_DECK", /^Line 3/),
    );
    await assert.rejects(services.rating.plan("Never"), code("RATING.PLAN_NOT_FOUND"));
  });

  test("when a plan is exported and imported into another, then both export the same deck", async () => {
    const { services } = ctx();
    const deck = `${HEADER},minimum_charge\n1,0.0133,0.01,1,1,,0.001\n1,0.014,0.01,1,1,2027-02-01T00:00:00Z,0.001\n44,0.1,0,60,60,,0\n4420,0.012,0,30,6,,0\n`;
    await services.rating.importDeck("Source", deck);
    const exported = await services.rating.exportDeck("Source");
    await services.rating.importDeck("Copy", exported);
    assert.equal(await services.rating.exportDeck("Copy"), exported);
    assert.equal(exported.trim().split("\n").length, 5);
    const again = await services.rating.importDeck("Source", exported);
    assert.equal(again.created, false);
    assert.equal(await services.rating.exportDeck("Source"), exported, "re-importing changes nothing");
  });

  test("when on-net and inbound prices are set, then those calls are rated per second at them", async () => {
    const { services } = ctx();
    await services.rating.importDeck("Flat", `${HEADER}\n`);
    const account = await newAccount("flat@example.com");
    await services.rating.assignPlan(account, "Flat");
    const query = { accountId: account, destination: "+15555550100", at: new Date() };
    const free = await services.rating.rateCall({ ...query, direction: "onnet" });
    assert.equal(free.pricePerMinute, 0);
    await services.rating.setPrices("Flat", { onnetPricePerMinute: 1_000, inboundPricePerMinute: 2_000 });
    const onnet = await services.rating.rateCall({ ...query, direction: "onnet" });
    const inbound = await services.rating.rateCall({ ...query, direction: "inbound" });
    assert.deepEqual(
      [onnet.pricePerMinute, onnet.initialIncrement, onnet.subsequentIncrement, onnet.prefix],
      [1_000, 1, 1, null],
    );
    assert.equal(inbound.pricePerMinute, 2_000);
  });

  test("when an account is on no plan or the plan's currency differs, then rating says so", async () => {
    const { services } = ctx();
    const account = await newAccount("noplan@example.com", "EUR");
    await assert.rejects(
      services.rating.rateCall({ accountId: account, direction: "onnet", destination: "+1", at: new Date() }),
      code("RATING.NO_PLAN"),
    );
    await services.rating.importDeck("Dollars", `${HEADER}\n`, { currency: "usd" });
    await assert.rejects(services.rating.assignPlan(account, "Dollars"), code("RATING.CURRENCY_MISMATCH"));
    await assert.rejects(
      services.rating.importDeck("Dollars", `${HEADER}\n`, { currency: "EUR" }),
      code("RATING.CURRENCY_MISMATCH"),
    );
    await services.rating.importDeck("Euros", `${HEADER}\n`, { currency: "EUR" });
    assert.equal((await services.rating.assignPlan(account, "Euros")).currency, "EUR");
    await assert.rejects(services.rating.importDeck("bad/name", `${HEADER}\n`), code("RATING.INVALID_PLAN"));
    await assert.rejects(
      services.rating.assignPlan("00000000-0000-0000-0000-000000000000", "Euros"),
      code("ACCOUNT.NOT_FOUND"),
    );
  });
});
