import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { forEachDialectWithServices, TEST_SIP_DOMAIN } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";

const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

forEachDialectWithServices("devices service", (ctx) => {
  test("when a device is provisioned, then its password is shown once and only its digest hashes are stored", async () => {
    const { services, database } = ctx();
    const account = await services.accounts.create({ name: "Grace", email: "grace@example.com" });
    const device = await services.devices.provision(account.id, "desk phone");
    assert.match(device.password, /^[A-Za-z0-9]{20}$/);
    assert.match(device.username, /^zq\d{8}$/);
    const credentials = await services.devices.credentials(device.username);
    assert.equal(credentials?.ha1Md5, md5(`${device.username}:${TEST_SIP_DOMAIN}:${device.password}`));
    assert.equal(credentials?.ha1Sha256, sha256(`${device.username}:${TEST_SIP_DOMAIN}:${device.password}`));
    const rows = await database.db.selectFrom("devices").selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(device.password), "the password is nowhere in the table");
    const listed = await services.devices.list(account.id);
    assert.deepEqual(
      listed.map((d) => [d.username, d.label]),
      [[device.username, "desk phone"]],
    );
    assert.ok(!("password" in (listed[0] ?? {})));
  });

  test("when two devices are provisioned, then they get different user names and passwords", async () => {
    const { services } = ctx();
    const account = await services.accounts.create({ name: "Two", email: "two@example.com" });
    const a = await services.devices.provision(account.id);
    const b = await services.devices.provision(account.id);
    assert.notEqual(a.username, b.username);
    assert.notEqual(a.password, b.password);
  });

  test("when the account does not exist, then no device is made", async () => {
    await assert.rejects(
      ctx().services.devices.provision("00000000-0000-0000-0000-000000000000"),
      (e: unknown) => e instanceof DomainError && e.code === "ACCOUNT.NOT_FOUND",
    );
  });

  test("when a user name is unknown, then there are no credentials", async () => {
    assert.equal(await ctx().services.devices.credentials("nobody"), undefined);
  });

  test("when a customer removes a phone, then its credentials stop working and another account cannot remove it", async () => {
    const { services } = ctx();
    const owner = await services.accounts.create({ name: "Owner", email: "owner@example.com" });
    const other = await services.accounts.create({ name: "Other", email: "other@example.com" });
    const device = await services.devices.provision(owner.id, "old phone");
    await assert.rejects(
      services.devices.remove(other.id, device.id),
      (e: unknown) => e instanceof DomainError && e.code === "DEVICE.NOT_FOUND",
    );
    assert.ok(await services.devices.credentials(device.username), "still there after the refused attempt");
    await services.devices.remove(owner.id, device.id);
    assert.equal(await services.devices.credentials(device.username), undefined);
    assert.deepEqual(await services.devices.list(owner.id), []);
    await assert.rejects(
      services.devices.remove(owner.id, device.id),
      (e: unknown) => e instanceof DomainError && e.code === "DEVICE.NOT_FOUND",
    );
  });
});
