import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";
import { CURRENT_LEGAL_VERSIONS } from "../identity/legal-versions.ts";

const code = (expected: string) => (e: unknown) => e instanceof DomainError && e.code === expected;
const DAY = 24 * 60 * 60;

forEachDialectWithServices("legal documents", (ctx) => {
  test("when nothing was published, then the shipped Terms and Privacy Policy are in force with their dates", async () => {
    const { services } = ctx();
    const overview = await services.legal.overview();
    assert.deepEqual(
      overview.current.map((d) => [d.document, d.version, d.title, d.effectiveAt]),
      [
        ["terms", CURRENT_LEGAL_VERSIONS.terms, "Terms of Service", "2026-11-30T00:00:00.000Z"],
        ["privacy", CURRENT_LEGAL_VERSIONS.privacy, "Privacy Policy", "2026-04-14T00:00:00.000Z"],
      ],
    );
    const privacy = overview.current.find((d) => d.document === "privacy");
    assert.match(privacy?.body ?? "", /^1\. Overview\n/);
    assert.match(privacy?.body ?? "", /We do not sell your personal data\./);
    assert.deepEqual(overview.upcoming, []);
  });

  test("when a material change is published, then every active customer is emailed, it shows as upcoming, and it is in force from its date", async () => {
    const { services, clock } = ctx();
    const active = await services.accounts.create({ name: "Ada", email: "ada@example.test" });
    const second = await services.accounts.create({ name: "Bob", email: "bob@example.test" });
    assert.ok(active && second);
    const before = (await services.notify.listOutbox(100)).length;

    const effective = new Date(clock.now().getTime() + 31 * DAY * 1000);
    const { document, notified } = await services.legal.publish({
      document: "privacy",
      version: "2027-01-01",
      body: "Privacy Policy\n1. Overview\nWe now also keep support chats for a year.",
      effectiveAt: effective,
      material: true,
      summary: "Support chats are kept for a year.",
    });
    assert.equal(notified, 2);
    assert.equal(document.notifiedCount, 2);
    const mail = (await services.notify.listOutbox(100)).slice(
      0,
      (await services.notify.listOutbox(100)).length - before,
    );
    assert.deepEqual(mail.map((m) => m.to).sort(), ["ada@example.test", "bob@example.test"]);
    assert.match(mail[0]?.subject ?? "", /Privacy Policy changes on \d{4}-\d{2}-\d{2}/);
    assert.match(mail[0]?.text ?? "", /Support chats are kept for a year\./);
    assert.match(mail[0]?.text ?? "", /\/legal/);

    let overview = await services.legal.overview();
    assert.deepEqual(
      overview.upcoming.map((d) => [d.document, d.version, d.material, d.summary]),
      [["privacy", "2027-01-01", true, "Support chats are kept for a year."]],
    );
    assert.equal(services.legal.currentVersions.privacy, CURRENT_LEGAL_VERSIONS.privacy);

    clock.advance(31 * DAY + 1);
    overview = await services.legal.overview();
    assert.deepEqual(overview.upcoming, []);
    assert.equal(overview.current.find((d) => d.document === "privacy")?.version, "2027-01-01");
    assert.equal(services.legal.currentVersions.privacy, "2027-01-01");
    assert.equal(
      services.identity.legalVersions.privacy,
      "2027-01-01",
      "sign-up asks for the version in force",
    );
  });

  test("when a material change would take effect inside the notice period, then it is refused and nobody is emailed", async () => {
    const { services, clock } = ctx();
    const before = (await services.notify.listOutbox(1000)).length;
    await assert.rejects(
      services.legal.publish({
        document: "terms",
        version: "too-soon",
        body: "New terms.",
        effectiveAt: new Date(clock.now().getTime() + 29 * DAY * 1000),
        material: true,
        summary: "Everything changes.",
      }),
      code("LEGAL.NOTICE_TOO_SHORT"),
    );
    await assert.rejects(
      services.legal.publish({
        document: "terms",
        version: "no-summary",
        body: "New terms.",
        material: true,
      }),
      code("LEGAL.SUMMARY_REQUIRED"),
    );
    await assert.rejects(
      services.legal.publish({ document: "terms", version: "bad label!", body: "x", material: false }),
      code("LEGAL.INVALID_DOCUMENT"),
    );
    await assert.rejects(
      services.legal.publish({
        document: "terms",
        version: CURRENT_LEGAL_VERSIONS.terms,
        body: "x",
        material: false,
      }),
      code("LEGAL.VERSION_EXISTS"),
    );
    assert.equal((await services.notify.listOutbox(1000)).length, before);
    const versions = (await services.legal.overview()).upcoming.map((d) => d.version);
    assert.ok(
      !versions.includes("too-soon") && !versions.includes("no-summary"),
      "nothing refused was published",
    );
  });

  test("when a minor change is published, then it is in force at once, with no email and no notice", async () => {
    const { services } = ctx();
    const before = (await services.notify.listOutbox(1000)).length;
    const { notified } = await services.legal.publish({
      document: "terms",
      version: "typo-fix",
      body: "Terms of Service\nFixed a typo.",
      material: false,
    });
    assert.equal(notified, 0);
    assert.equal((await services.notify.listOutbox(1000)).length, before);
    const overview = await services.legal.overview();
    assert.equal(overview.current.find((d) => d.document === "terms")?.version, "typo-fix");
    assert.equal(overview.current.find((d) => d.document === "terms")?.body, "Fixed a typo.");
  });
});
