import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import type { Cdr } from "../cdr/cdr.types.ts";
import { DomainError } from "../domain-error.ts";

function call(accountId: string, destination: string, startedAt: string, billedSeconds = 90): Cdr {
  return {
    id: randomUUID(),
    callId: `${randomUUID()}@test`,
    accountId,
    deviceId: null,
    direction: "outbound",
    source: "+15555550100",
    destination,
    startedAt,
    answeredAt: startedAt,
    endedAt: startedAt,
    durationSeconds: billedSeconds,
    billedSeconds,
    cost: 1_000,
    currency: "USD",
    carrierId: null,
    sipStatus: 200,
    hangupBy: "caller",
    nodeId: "node-1",
    planId: null,
    ratePrefix: null,
  };
}

forEachDialectWithServices("usage analytics", (ctx) => {
  test("when a destination country has fewer customers than the minimum, then its figures are left out; larger groups show their totals", async () => {
    const { services } = ctx();
    const customers = await Promise.all(
      Array.from({ length: 21 }, (_, i) =>
        services.accounts.create({ name: `Customer ${i}`, email: `c${i}-${randomUUID()}@example.test` }),
      ),
    );
    const records: Cdr[] = [];
    // 21 customers call the UK in October, one of them twice; 3 of them call France.
    for (const [i, customer] of customers.entries()) {
      records.push(call(customer.id, "+442079460958", "2026-10-05T10:00:00.000Z"));
      if (i === 0) records.push(call(customer.id, "+441612345678", "2026-10-06T10:00:00.000Z", 30));
      if (i < 3) records.push(call(customer.id, "+33612345678", "2026-10-07T10:00:00.000Z"));
    }
    // November: the UK again, by 21 customers, but one of them restricts processing below.
    for (const customer of customers)
      records.push(call(customer.id, "+442079460958", "2026-11-02T10:00:00.000Z"));
    // Calls outside the months asked for and inbound calls are not counted.
    records.push(call(customers[0]?.id ?? "", "+442079460958", "2026-09-30T23:59:59.000Z"));
    records.push({
      ...call(customers[0]?.id ?? "", "+442079460958", "2026-10-09T10:00:00.000Z"),
      direction: "inbound",
    });
    await services.cdrs.recordMany(records);

    const report = await services.analytics.callsByDestinationCountry("2026-10", "2026-11");
    assert.equal(report.minimumGroupSize, 20);
    assert.deepEqual(report.groups, [
      { month: "2026-10", country: "GB", customers: 21, calls: 22, minutes: 32 },
      { month: "2026-11", country: "GB", customers: 21, calls: 21, minutes: 31.5 },
    ]);
    assert.equal(report.suppressedGroups, 1, "France in October: 3 customers");
    assert.equal(JSON.stringify(report).includes("FR"), false, "nothing about the small group is shown");

    await services.privacy.setRestriction(customers[1]?.id ?? "", true);
    await services.privacy.setObjection(customers[2]?.id ?? "", true);
    const restricted = await services.analytics.callsByDestinationCountry("2026-10", "2026-11");
    assert.equal(restricted.excludedCustomers, 2);
    assert.deepEqual(restricted.groups, [], "19 customers left in each month: below the minimum of 20");
    assert.equal(restricted.suppressedGroups, 3);
  });

  test("when the months asked for are malformed or reversed, then a clear error says so", async () => {
    const { services } = ctx();
    for (const [from, to] of [
      ["2026-13", "2026-12"],
      ["2026-11", "2026-10"],
      ["2020-01", "2026-01"],
    ] as const) {
      await assert.rejects(
        services.analytics.callsByDestinationCountry(from, to),
        (e: unknown) => e instanceof DomainError && e.code === "CDR.INVALID_QUERY",
      );
    }
  });
});
