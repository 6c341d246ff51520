import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";
import type { RegisterRequest } from "./registrations.types.ts";

const code = (expected: string) => (e: unknown) => e instanceof DomainError && e.code === expected;

forEachDialectWithServices(
  "registrations service",
  (ctx) => {
    async function phone(email: string) {
      const { services } = ctx();
      const account = await services.accounts.create({ name: email, email });
      const device = await services.devices.provision(account.id);
      const base = (over: Partial<RegisterRequest>): RegisterRequest => ({
        deviceId: device.id,
        accountId: account.id,
        contacts: [],
        callId: "call-1",
        cseq: 1,
        source: { transport: "udp", address: "203.0.113.7", port: 40123 },
        userAgent: "Test Phone 1.0",
        nodeId: "node-1",
        ...over,
      });
      return { account, device, base };
    }

    test("when a phone registers and refreshes, then its binding carries the NAT address and the new expiry", async () => {
      const { services, clock } = ctx();
      const { account, base } = await phone("nat@example.com");
      const first = await services.registrations.register(
        base({ contacts: [{ uri: "sip:zq@192.168.1.20:5060", expires: 600, q: 1000 }] }),
      );
      assert.equal(first.length, 1);
      assert.equal(first[0]?.expiresIn, 600);
      assert.deepEqual(first[0]?.source, {
        transport: "udp",
        address: "203.0.113.7",
        port: 40123,
        connectionId: undefined,
      });
      clock.advance(300);
      const refreshed = await services.registrations.register(
        base({ cseq: 2, contacts: [{ uri: "sip:zq@192.168.1.20:5060", expires: 600, q: 1000 }] }),
      );
      assert.equal(refreshed[0]?.expiresIn, 600);
      assert.equal((await services.registrations.contactsForAccount(account.id)).length, 1);
    });

    test("when the expiry is below the minimum, then 423-style INTERVAL_TOO_BRIEF names the minimum", async () => {
      const { services } = ctx();
      const { base } = await phone("brief@example.com");
      await assert.rejects(
        services.registrations.register(
          base({ contacts: [{ uri: "sip:a@10.0.0.1", expires: 30, q: 1000 }] }),
        ),
        (e: unknown) =>
          e instanceof DomainError &&
          e.code === "REGISTRATION.INTERVAL_TOO_BRIEF" &&
          e.details?.minExpires === 60,
      );
    });

    test("when a longer expiry than allowed is asked, then it is cut to the maximum", async () => {
      const { services } = ctx();
      const { base } = await phone("long@example.com");
      const bindings = await services.registrations.register(
        base({ contacts: [{ uri: "sip:a@10.0.0.2", expires: 999_999, q: 1000 }] }),
      );
      assert.equal(bindings[0]?.expiresIn, 3600);
    });

    test("when a refresh with the same Call-ID repeats an old CSeq, then it is refused and nothing changes", async () => {
      const { services } = ctx();
      const { base } = await phone("order@example.com");
      await services.registrations.register(
        base({ cseq: 5, contacts: [{ uri: "sip:a@10.0.0.3", expires: 600, q: 1000 }] }),
      );
      await assert.rejects(
        services.registrations.register(
          base({ cseq: 5, contacts: [{ uri: "sip:a@10.0.0.3", expires: 0, q: 1000 }] }),
        ),
        code("REGISTRATION.OUT_OF_ORDER"),
      );
      const other = await services.registrations.register(
        base({ callId: "call-2", cseq: 1, contacts: [{ uri: "sip:a@10.0.0.3", expires: 0, q: 1000 }] }),
      );
      assert.deepEqual(other, [], "a different Call-ID may remove it");
    });

    test("when Expires is 0 for one contact or '*' for all, then those bindings go", async () => {
      const { services } = ctx();
      const { account, base } = await phone("remove@example.com");
      await services.registrations.register(
        base({
          contacts: [
            { uri: "sip:a@10.0.0.4", expires: 600, q: 1000 },
            { uri: "sip:b@10.0.0.5", expires: 600, q: 500 },
            { uri: "sip:c@10.0.0.6", expires: 600, q: 100 },
          ],
        }),
      );
      const left = await services.registrations.register(
        base({ cseq: 2, contacts: [{ uri: "sip:a@10.0.0.4", expires: 0, q: 1000 }] }),
      );
      assert.deepEqual(left.map((b) => b.contactUri).sort(), ["sip:b@10.0.0.5", "sip:c@10.0.0.6"]);
      const ordered = await services.registrations.contactsForAccount(account.id);
      assert.deepEqual(
        ordered.map((b) => b.q),
        [500, 100],
        "most preferred first",
      );
      assert.deepEqual(await services.registrations.register(base({ cseq: 3, contacts: "*" })), []);
    });

    test("when a device would exceed its contact cap, then the whole REGISTER is refused", async () => {
      const { services } = ctx();
      const { base } = await phone("cap@example.com");
      const contacts = Array.from({ length: 3 }, (_, i) => ({
        uri: `sip:x@10.1.0.${i}`,
        expires: 600,
        q: 1000,
      }));
      await services.registrations.register(base({ contacts }));
      await assert.rejects(
        services.registrations.register(
          base({ cseq: 2, contacts: [{ uri: "sip:x@10.1.0.9", expires: 600, q: 1000 }] }),
        ),
        code("REGISTRATION.TOO_MANY_CONTACTS"),
      );
      const current = await services.registrations.register(base({ cseq: 3, contacts: [] }));
      assert.equal(current.length, 3, "the refused REGISTER changed nothing");
    });

    test("when many REGISTERs arrive together and one is refused, then each phone gets its own answer and the rest are stored", async () => {
      const { services } = ctx();
      const phones = await Promise.all(
        Array.from({ length: 5 }, (_, i) => phone(`together-${i}@example.com`)),
      );
      // The third phone's first REGISTER goes ahead of the rest, in the same batch.
      const third = phones[2] as Awaited<ReturnType<typeof phone>>;
      const first = services.registrations.register(
        third.base({ contacts: [{ uri: "sip:p2@10.2.0.2", expires: 900, q: 1000 }] }),
      );
      // Then every phone registers; the third repeats the CSeq it just used: out of order.
      const sent = phones.map(({ base }, i) =>
        services.registrations.register(
          base({ contacts: [{ uri: `sip:p${i}@10.2.0.${i}`, expires: 600, q: 1000 }] }),
        ),
      );
      const results = await Promise.allSettled([first, ...sent]);
      assert.equal(results[0]?.status, "fulfilled");
      for (const [i, result] of results.slice(1).entries()) {
        if (i === 2) {
          assert.ok(result.status === "rejected" && code("REGISTRATION.OUT_OF_ORDER")(result.reason));
          continue;
        }
        assert.ok(result.status === "fulfilled");
        assert.deepEqual(
          result.value.map((b) => b.contactUri),
          [`sip:p${i}@10.2.0.${i}`],
        );
      }
      const kept = await services.registrations.contactsForAccount(third.account.id);
      assert.equal(kept[0]?.expiresIn, 900, "the refused repeat changed nothing");
      for (const [i, { account }] of phones.entries()) {
        const stored = (await services.registrations.contactsForAccount(account.id)).map((b) => b.contactUri);
        assert.deepEqual(stored, [`sip:p${i}@10.2.0.${i}`]);
      }
    });

    test("when bindings expire, then they no longer ring and the purge deletes them", async () => {
      const { services, clock } = ctx();
      const { account, base } = await phone("expire@example.com");
      await services.registrations.register(
        base({ contacts: [{ uri: "sip:a@10.0.0.7", expires: 120, q: 1000 }] }),
      );
      clock.advance(121);
      assert.deepEqual(await services.registrations.contactsForAccount(account.id), []);
      assert.ok((await services.registrations.purgeExpired()) >= 1);
    });
  },
  { registrar: { minExpires: 60, maxExpires: 3600, maxContactsPerDevice: 3 } },
);
