import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { strFromU8, unzipSync } from "fflate";
import type { Browser, Page } from "playwright-core";
import { Registry } from "prom-client";
import { createTestDatabase, type TestDatabase } from "../../db/testing/dialects.ts";
import type { Manifest } from "../../domains/privacy/access-archive.ts";
import { buildHttpApp } from "../../edges/http/app.ts";
import { sessionAuthenticator } from "../../edges/http/session.ts";
import { createLogger } from "../../logging/logger.ts";
import { composeServices, type Services } from "../../main/compose.ts";
import {
  ensurePortalBuilt,
  launchBrowser,
  newPage,
  saveScreenshot,
  testDirectory,
} from "../../testing/browser.ts";
import { SEED_PASSWORD, seedCustomerInEveryDataset } from "../../testing/customer-in-every-dataset.ts";
import { freePort } from "../../testing/free-port.ts";
import { ManualClock } from "../../testing/test-services.ts";

const TEST_NAME = "privacy page";

/** Refusals of the Content-Security-Policy, which would mean an inline script or style slipped in. */
function watchCsp(page: Page): string[] {
  const refused: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) {
      refused.push(message.text());
    }
  });
  return refused;
}

describe("Privacy page in Chromium (SQLite)", () => {
  let database: TestDatabase;
  let services: Services;
  let http: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  const clock = new ManualClock(new Date());

  before(async () => {
    await ensurePortalBuilt();
    database = await createTestDatabase("sqlite");
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    services = composeServices(database.db, {
      sipDomain: "sip.test.zaqros",
      portalUrl: baseUrl,
      now: clock.now,
    });
    http = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json", destination: new PassThrough() }),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: { services, session: sessionAuthenticator(services.identity) },
      auth: { identity: services.identity, accounts: services.accounts },
      privacy: { privacy: services.privacy, identity: services.identity },
    });
    await http.listen({ host: "127.0.0.1", port });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await http?.close();
    await database?.close();
  });

  test("when a customer uses the Privacy page, then they download their archive, withdraw a consent, restrict processing, and request and cancel erasure", async () => {
    const email = `page-${randomBytes(3).toString("hex")}@example.com`;
    const seeded = await seedCustomerInEveryDataset(services, database.db, clock, email);
    const { context, page } = await newPage(browser);
    const refused = watchCsp(page);
    try {
      await page.goto(`${baseUrl}/login`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(SEED_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/login"));
      await page.goto(`${baseUrl}/privacy`);
      await page.getByRole("heading", { level: 1, name: "Privacy" }).waitFor();
      await assert.doesNotReject(
        page
          .getByTestId("complaint-right")
          .getByText(/data-protection authority in your country/)
          .waitFor(),
      );

      await page.getByRole("button", { name: "Prepare my data archive" }).click();
      await page.getByText("Your archive is ready. Download it below.").waitFor();
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: /Download ZIP/ }).click(),
      ]);
      assert.match(download.suggestedFilename(), /^zaqros-data-\d{4}-\d{2}-\d{2}\.zip$/);
      const saved = join(testDirectory(TEST_NAME), download.suggestedFilename());
      await download.saveAs(saved);
      const files = unzipSync(new Uint8Array(readFileSync(saved)));
      const manifest = JSON.parse(strFromU8(files["manifest.json"] as Uint8Array)) as Manifest;
      assert.equal(manifest.accountId, seeded.accountId);
      assert.equal(manifest.datasets.find((d) => d.name === "cdrs")?.status, "included");
      assert.match(strFromU8(files["account/account.json"] as Uint8Array), new RegExp(email));
      await saveScreenshot(page, TEST_NAME, "archive ready");

      const news = page.getByTestId("consent-product-news-email");
      await news.getByText("Given", { exact: true }).waitFor();
      await page.getByRole("button", { name: "Withdraw consent: Product news by email" }).click();
      await page.getByText("Withdrawn. It takes effect at once.").waitFor();
      await news.getByText("Not given", { exact: true }).waitFor();
      assert.equal(await services.privacy.allowsOptionalMail(seeded.accountId, "product-news-email"), false);

      await page.getByLabel(/Restrict processing of my data/).check();
      await page.getByText(/Analytics and optional emails stop for your account at once/).waitFor();
      assert.notEqual((await services.privacy.preferencesOf(seeded.accountId)).restrictedAt, null);

      const erase = page.getByRole("button", { name: "Request erasure" });
      assert.equal(await erase.isDisabled(), true, "erasure needs the confirmation box ticked");
      await page
        .getByText(/does not stop the erasure/)
        .first()
        .waitFor();
      await page.getByLabel("I understand my account will be closed and my data erased.").check();
      await page.getByLabel("Your password, to confirm it is you").fill(SEED_PASSWORD);
      await erase.click();
      await page.getByTestId("pending-erasure").waitFor();
      await saveScreenshot(page, TEST_NAME, "erasure pending");
      await page.getByRole("button", { name: "Cancel erasure" }).click();
      await page.getByText("Erasure cancelled. Your account stays as it is.").waitFor();
      const kinds = (await services.privacy.requestsOf(seeded.accountId)).map((r) => `${r.kind}:${r.status}`);
      assert.ok(kinds.includes("erasure:cancelled"));
      assert.ok(kinds.includes("access:completed"));
      await page.getByRole("heading", { name: "Your requests" }).waitFor();
      assert.deepEqual(refused, [], "no inline script or style was refused by the CSP");
    } finally {
      await context.close();
    }
  });
});
