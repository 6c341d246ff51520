import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";
import { CarriersRepository } from "./carriers.repository.ts";
import { CarriersService } from "./carriers.service.ts";

const code = (expected: string) => (e: unknown) => e instanceof DomainError && e.code === expected;

forEachDialectWithServices("carriers and least-cost routing", (ctx) => {
  test("when decks overlap, then each carrier's longest prefix counts and the cheapest carrier comes first", async () => {
    const { services } = ctx();
    const cheap = await services.carriers.add({ name: "Cheap", host: "127.0.0.1", port: 5071, priority: 10 });
    const mid = await services.carriers.add({ name: "Mid", host: "127.0.0.1", port: 5072, priority: 5 });
    const tie = await services.carriers.add({ name: "Tie", host: "127.0.0.1", port: 5073, priority: 1 });
    await services.carriers.importDeck(cheap.id, "prefix,cost_per_minute\n44,0.0100\n4420,0.0500\n");
    await services.carriers.importDeck(mid.id, "prefix,cost_per_minute\n44,0.0200\n");
    await services.carriers.importDeck(tie.id, "prefix,cost_per_minute\n442,0.0200\n");
    const routes = await services.carriers.routesFor("+442079460958");
    assert.deepEqual(
      routes.map((r) => [r.carrier.name, r.rate.prefix, r.rate.costPerMinute]),
      [
        ["Tie", "442", 20_000],
        ["Mid", "44", 20_000],
        ["Cheap", "4420", 50_000],
      ],
      "Cheap's 4420 beats its own 44; Tie and Mid cost the same, so priority decides",
    );
  });

  test("when a carrier is disabled or does not answer probes, then it leaves routing until it is back", async () => {
    const { services } = ctx();
    const a = await services.carriers.add({ name: "A-probe", host: "127.0.0.1" });
    const b = await services.carriers.add({ name: "B-probe", host: "127.0.0.1" });
    await services.carriers.importDeck(a.id, "prefix,cost_per_minute\n49,0.01\n");
    await services.carriers.importDeck(b.id, "prefix,cost_per_minute\n49,0.02\n");
    await services.carriers.recordProbe(a.id, false);
    assert.deepEqual(
      (await services.carriers.routesFor("+49301234567")).map((r) => r.carrier.name),
      ["B-probe"],
    );
    await services.carriers.setEnabled(b.id, false);
    assert.deepEqual(await services.carriers.routesFor("+49301234567"), []);
    await services.carriers.recordProbe(a.id, true);
    assert.deepEqual(
      (await services.carriers.routesFor("+49301234567")).map((r) => r.carrier.name),
      ["A-probe"],
    );
  });

  test("when a carrier strips digits and wants a tech prefix, then the dial string is built for it", async () => {
    const { services } = ctx();
    const c = await services.carriers.add({
      name: "Techy",
      host: "127.0.0.1",
      techPrefix: "9911#",
      stripDigits: 2,
    });
    await services.carriers.importDeck(c.id, "prefix,cost_per_minute\n33,0.01\n");
    const [route] = await services.carriers.routesFor("+33142685300");
    assert.equal(route?.dialString, "9911#142685300");
  });

  test("when a deck has a bad row, then the error names the line and the old deck stays whole", async () => {
    const { services } = ctx();
    const c = await services.carriers.add({ name: "Decked", host: "127.0.0.1" });
    await services.carriers.importDeck(
      c.id,
      "prefix,cost_per_minute,connect_cost,initial_increment,subsequent_increment,description\n1,0.005,0.01,6,6,North America\n",
    );
    const bad: Array<[string, RegExp]> = [
      ["prefix,cost_per_minute\n1,0.01\n1x,0.02\n", /Line 3: prefix must be 1 to 15 digits/],
      ["prefix,cost_per_minute\n1,0.01\n1,0.02\n", /Line 3: prefix 1 appears twice/],
      ["prefix,cost_per_minute\n1,-0.01\n", /Line 2: cost_per_minute must be a non-negative decimal/],
      ["prefix,cost_per_minute,initial_increment\n1,0.01,0\n", /Line 2: initial_increment must be/],
      ["prefix\n1\n", /Line 1: the header row lacks the column cost_per_minute/],
      ["prefix,cost_per_minute,price\n1,0.01,2\n", /Line 1: unknown column price/],
      ['prefix,cost_per_minute\n1,"0.01\n', /not valid CSV/],
    ];
    for (const [csv, message] of bad) {
      await assert.rejects(
        services.carriers.importDeck(c.id, csv),
        (e: unknown) =>
          e instanceof DomainError && e.code === "ROUTING.INVALID_DECK" && message.test(e.message),
        csv,
      );
    }
    assert.deepEqual(await services.carriers.deck(c.id), [
      {
        prefix: "1",
        costPerMinute: 5_000,
        connectCost: 10_000,
        initialIncrement: 6,
        subsequentIncrement: 6,
        description: "North America",
      },
    ]);
  });

  test("when a call arrives from a carrier's address, then the carrier is known by it", async () => {
    const { services } = ctx();
    const c = await services.carriers.add({
      name: "Inbound",
      host: "127.0.0.1",
      addresses: ["127.0.0.55", "::1"],
    });
    assert.equal((await services.carriers.carrierAt("127.0.0.55"))?.id, c.id);
    assert.equal(await services.carriers.carrierAt("127.0.0.56"), undefined);
  });

  test("when another process adds or disables a carrier, then calls from its address see the change within the cache time", async () => {
    const { services, database } = ctx();
    const routing = new CarriersService({ repository: new CarriersRepository(database.db), cacheMs: 100 });
    assert.equal(await routing.carrierAt("127.0.0.57"), undefined);
    // The operator CLI is another process: its own service over the same database.
    const added = await services.carriers.add({ name: "Late", host: "127.0.0.1", addresses: ["127.0.0.57"] });
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal((await routing.carrierAt("127.0.0.57"))?.id, added.id);
    await services.carriers.setEnabled(added.id, false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal((await routing.carrierAt("127.0.0.57"))?.enabled, false);
  });

  test("when another process replaces a deck or takes a carrier out, then routing follows once it reads the carriers again, and not before", async () => {
    const { services, database } = ctx();
    let clockMs = 0;
    const routing = new CarriersService({
      repository: new CarriersRepository(database.db),
      cacheMs: 1000,
      monotonicNow: () => clockMs,
    });
    // The operator CLI (or another node) is another process: `services.carriers` stands in for it.
    const c = await services.carriers.add({ name: "Redecked", host: "127.0.0.1" });
    await services.carriers.importDeck(c.id, "prefix,cost_per_minute\n61,0.0100\n");
    const routed = async () =>
      (await routing.routesFor("+61291234567"))
        .filter((r) => r.carrier.id === c.id)
        .map((r) => `${r.rate.prefix}@${r.rate.costPerMinute}`);
    assert.deepEqual(await routed(), ["61@10000"]);

    await services.carriers.importDeck(c.id, "prefix,cost_per_minute\n61,0.0300\n612,0.0050\n");
    clockMs += 999;
    assert.deepEqual(await routed(), ["61@10000"], "the deck read within cacheMs still answers");
    clockMs += 1;
    assert.deepEqual(
      await routed(),
      ["612@5000"],
      "the replaced deck answers once the carriers are read again",
    );

    await services.carriers.recordProbe(c.id, false);
    clockMs += 1000;
    assert.deepEqual(await routed(), [], "an unreachable carrier leaves routing");
    await services.carriers.recordProbe(c.id, true);
    clockMs += 1000;
    assert.deepEqual(await routed(), ["612@5000"]);

    await services.carriers.setEnabled(c.id, false);
    clockMs += 1000;
    assert.deepEqual(await routed(), [], "a disabled carrier leaves routing");
    await services.carriers.importDeck(c.id, "prefix,cost_per_minute\n6129,0.0070\n");
    await services.carriers.setEnabled(c.id, true);
    clockMs += 1000;
    assert.deepEqual(await routed(), ["6129@7000"], "the deck replaced while it was disabled answers");
  });

  test("when many calls arrive just after a deck is replaced, then the deck is read once, and decks not replaced are not read again", async () => {
    const { database } = ctx();
    const reads = new Map<string, number>();
    class CountingRepository extends CarriersRepository {
      override deck(carrierId: string) {
        reads.set(carrierId, (reads.get(carrierId) ?? 0) + 1);
        return super.deck(carrierId);
      }
    }
    let clockMs = 0;
    const routing = new CarriersService({
      repository: new CountingRepository(database.db),
      cacheMs: 1000,
      monotonicNow: () => clockMs,
    });
    const busy = await routing.add({ name: "Busy", host: "127.0.0.1" });
    const quiet = await routing.add({ name: "Quiet", host: "127.0.0.1" });
    await routing.importDeck(quiet.id, "prefix,cost_per_minute\n64,0.0200\n");
    const calls = async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => routing.routesFor("+6491234567")));
      return new Set(
        answers.map((routes) =>
          routes
            .filter((r) => r.carrier.id === busy.id || r.carrier.id === quiet.id)
            .map((r) => `${r.carrier.name}:${r.rate.prefix}`)
            .join(" "),
        ),
      );
    };

    await routing.importDeck(busy.id, "prefix,cost_per_minute\n64,0.0100\n");
    assert.deepEqual(await calls(), new Set(["Busy:64 Quiet:64"]));
    await routing.importDeck(busy.id, "prefix,cost_per_minute\n64,0.0300\n649,0.0100\n");
    assert.deepEqual(await calls(), new Set(["Busy:649 Quiet:64"]), "every call sees the new deck");
    clockMs += 5000;
    assert.deepEqual(await calls(), new Set(["Busy:649 Quiet:64"]));
    assert.equal(reads.get(busy.id), 2, "one read per deck imported, however many calls wait for it");
    assert.equal(reads.get(quiet.id), 1, "a deck not replaced is not read again when the carriers are");
  });

  test("when the carrier is changed through the service routing uses, then the change applies to the next call at once", async () => {
    const { services } = ctx();
    const c = await services.carriers.add({ name: "Now", host: "127.0.0.1", addresses: ["127.0.0.58"] });
    await services.carriers.importDeck(c.id, "prefix,cost_per_minute\n44,0.0100\n");
    assert.equal((await services.carriers.carrierAt("127.0.0.58"))?.enabled, true);
    const routedBy = async () =>
      (await services.carriers.routesFor("+442079460958")).map((r) => r.carrier.id);
    assert.ok((await routedBy()).includes(c.id));
    await services.carriers.setEnabled(c.id, false);
    assert.equal((await services.carriers.carrierAt("127.0.0.58"))?.enabled, false);
    assert.ok(!(await routedBy()).includes(c.id));
  });

  test("when carrier fields are wrong, then each is refused by name", async () => {
    const { services } = ctx();
    await assert.rejects(
      services.carriers.add({ name: "P", host: "127.0.0.1", port: 70000 }),
      code("ROUTING.INVALID_CARRIER"),
    );
    await assert.rejects(
      services.carriers.add({ name: "H", host: "bad host!" }),
      code("ROUTING.INVALID_CARRIER"),
    );
    await assert.rejects(
      services.carriers.add({ name: "I", host: "127.0.0.1", addresses: ["not-an-ip"] }),
      code("ROUTING.INVALID_CARRIER"),
    );
    await services.carriers.add({ name: "Dup", host: "127.0.0.1" });
    await assert.rejects(
      services.carriers.add({ name: "Dup", host: "127.0.0.2" }),
      code("ROUTING.CARRIER_NAME_TAKEN"),
    );
  });
});
