import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Browser, Page } from "playwright-core";
import { Registry } from "prom-client";
import { createTestDatabase, type TestDatabase } from "../../db/testing/dialects.ts";
import { PayPalSandbox } from "../../dev/paypal-sandbox/paypal-sandbox.ts";
import { CURRENT_LEGAL_VERSIONS } from "../../domains/identity/legal-versions.ts";
import { buildHttpApp } from "../../edges/http/app.ts";
import { sessionAuthenticator } from "../../edges/http/session.ts";
import { createLogger } from "../../logging/logger.ts";
import { composeServices, type PaymentsOptions, type Services } from "../../main/compose.ts";
import { ensurePortalBuilt, launchBrowser, newPage, saveScreenshot } from "../../testing/browser.ts";
import { freePort } from "../../testing/free-port.ts";

const TEST_NAME = "top-up page";
const PASSWORD = "correct horse battery staple";

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

async function platform(database: TestDatabase, payments: PaymentsOptions | undefined) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const services = composeServices(database.db, {
    sipDomain: "sip.test.zaqros",
    portalUrl: baseUrl,
    payments: payments && { ...payments, publicUrl: baseUrl },
  });
  const http = buildHttpApp({
    logger: createLogger({ level: "silent", format: "json", destination: new PassThrough() }),
    metrics: new Registry(),
    databaseReady: async () => true,
    api: { services, session: sessionAuthenticator(services.identity) },
    auth: { identity: services.identity, accounts: services.accounts },
    payments: { payments: services.payments },
  });
  await http.listen({ host: "127.0.0.1", port });
  return { baseUrl, services, http };
}

async function signUp(services: Services): Promise<string> {
  const email = `topup-${randomBytes(3).toString("hex")}@example.com`;
  await services.identity.signUp({
    name: "Ada Lovelace",
    email,
    phone: "+14155550100",
    password: PASSWORD,
    confirmsAge16OrOver: true,
    acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
    acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
  });
  return email;
}

async function signIn(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

describe("Top-up page in Chromium with the PayPal sandbox (SQLite)", () => {
  let database: TestDatabase;
  let browser: Browser;
  const sandbox = new PayPalSandbox();
  const apps: FastifyInstance[] = [];

  before(async () => {
    await ensurePortalBuilt();
    database = await createTestDatabase("sqlite");
    await sandbox.start();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    for (const app of apps) await app.close();
    await sandbox.stop();
    await database?.close();
  });

  test("when a customer tops up 10.00 and approves on PayPal's page, then the portal shows the balance exactly 10.00 higher", async () => {
    // PayPal's webhook goes to the app's address, known before the app starts.
    const port = await freePort();
    const webhook = sandbox.registerWebhook(`http://127.0.0.1:${port}/webhooks/paypal`);
    const payments: PaymentsOptions = {
      paypal: {
        baseUrl: sandbox.url,
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        webhookId: webhook.id,
      },
    };
    const services = composeServices(database.db, {
      sipDomain: "sip.test.zaqros",
      portalUrl: `http://127.0.0.1:${port}`,
      payments: { ...payments, publicUrl: `http://127.0.0.1:${port}` },
    });
    const http = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json", destination: new PassThrough() }),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: { services, session: sessionAuthenticator(services.identity) },
      auth: { identity: services.identity, accounts: services.accounts },
      payments: { payments: services.payments },
    });
    await http.listen({ host: "127.0.0.1", port });
    apps.push(http);
    const baseUrl = `http://127.0.0.1:${port}`;

    const email = await signUp(services);
    const { context, page } = await newPage(browser);
    const refused = watchCsp(page);
    try {
      await signIn(page, baseUrl, email);
      await page.goto(`${baseUrl}/top-up`);
      await page.getByRole("heading", { level: 1, name: "Top up" }).waitFor();
      const balance = page.getByTestId("topup-balance");
      await balance.filter({ hasText: "USD" }).waitFor();
      assert.equal(await balance.textContent(), "0.00 USD");
      await page.getByLabel("Amount (USD)").fill("10.00");
      await saveScreenshot(page, TEST_NAME, "1 amount");
      await page.getByRole("button", { name: "Pay with PayPal" }).click();

      await page.waitForURL((url) => url.href.startsWith(`${sandbox.url}/checkoutnow`));
      assert.equal(await page.getByTestId("amount").textContent(), "10.00 USD");
      await saveScreenshot(page, TEST_NAME, "2 paypal approval");
      await page.getByRole("button", { name: "Approve" }).click();

      await page.waitForURL(
        (url) => url.pathname === "/top-up" && url.searchParams.get("result") === "completed",
      );
      await page.getByRole("status").filter({ hasText: "your balance has been topped up" }).waitFor();
      await page.getByTestId("topups").locator("tbody").getByText("Completed").waitFor();
      await balance.filter({ hasText: "10.00 USD" }).waitFor();
      assert.equal(await balance.textContent(), "10.00 USD");
      await saveScreenshot(page, TEST_NAME, "3 topped up");
      await sandbox.settled();
      const account = await database.db
        .selectFrom("accounts")
        .select("id")
        .where("email", "=", email)
        .executeTakeFirstOrThrow();
      assert.equal((await services.ledger.balance(account.id)).balance, 10_000_000, "exactly 10.00, once");
      assert.deepEqual(refused, [], "no Content-Security-Policy refusals");
    } finally {
      await context.close();
    }
  });

  test("when the server has no PayPal settings, then the Top-up page says payments are not configured", async () => {
    const { baseUrl, services, http } = await platform(database, undefined);
    apps.push(http);
    const email = await signUp(services);
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, baseUrl, email);
      await page.goto(`${baseUrl}/top-up`);
      const notice = page.getByTestId("payments-not-configured");
      await notice.waitFor();
      assert.match((await notice.textContent()) ?? "", /Payments are not configured on this server/);
      assert.equal(await page.getByRole("button", { name: "Pay with PayPal" }).count(), 0);
      await saveScreenshot(page, TEST_NAME, "not configured");
    } finally {
      await context.close();
    }
  });
});
