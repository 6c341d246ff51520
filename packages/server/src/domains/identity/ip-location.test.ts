import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IpLocator } from "./ip-location.ts";

describe("approximate places from DB-IP's city lite database", () => {
  const locator = new IpLocator();

  test("when public addresses are looked up, then the country (and city) the bundled database holds come back", async () => {
    const google = await locator.lookup("8.8.8.8");
    assert.equal(google.country, "US");
    assert.equal(google.city, "Mountain View");
    const ripe = await locator.lookup("193.0.6.139");
    assert.equal(ripe.country, "NL");
    assert.match(ripe.city ?? "", /^Amsterdam/);
    assert.equal((await locator.lookup("81.2.69.142")).country, "GB");
    assert.equal((await locator.lookup("194.25.0.68")).country, "DE");
  });

  test("when an IPv6 or IPv4-mapped address is looked up, then it is placed too", async () => {
    assert.equal((await locator.lookup("2001:67c:2e8:22::c100:68b")).country, "NL");
    assert.equal((await locator.lookup("::ffff:8.8.8.8")).country, "US");
  });

  test("when the address is loopback, private, shared, documentation or not an address, then the place is unknown", async () => {
    for (const address of [
      "127.0.0.1",
      "::1",
      "10.20.30.40",
      "172.16.5.4",
      "192.168.1.1",
      "100.64.0.1",
      "169.254.1.1",
      "203.0.113.7",
      "fd12:3456::1",
      "fe80::1",
      "::ffff:192.168.1.1",
      "not-an-address",
      "",
    ]) {
      assert.deepEqual(await locator.lookup(address), { country: null, city: null }, address);
    }
  });

  test("when the database file cannot be read, then places are unknown and the error is reported, not thrown", async () => {
    const errors: unknown[] = [];
    const broken = new IpLocator({ ipv4: "/nonexistent/v4.mmdb", ipv6: "/nonexistent/v6.mmdb" }, (error) =>
      errors.push(error),
    );
    assert.deepEqual(await broken.lookup("10.0.0.1"), { country: null, city: null });
    assert.equal(errors.length, 0, "a private address never opens the file");
    assert.deepEqual(await broken.lookup("8.8.8.8"), { country: null, city: null });
    assert.equal(errors.length, 1);
  });
});
