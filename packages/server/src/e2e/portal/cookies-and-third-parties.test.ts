import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Registry } from "prom-client";
import { createTestDatabase, type TestDatabase } from "../../db/testing/dialects.ts";
import { CURRENT_LEGAL_VERSIONS } from "../../domains/identity/legal-versions.ts";
import { buildHttpApp } from "../../edges/http/app.ts";
import { sessionAuthenticator } from "../../edges/http/session.ts";
import { createLogger } from "../../logging/logger.ts";
import { composeServices, type Services } from "../../main/compose.ts";
import {
  ensurePortalBuilt,
  launchBrowser,
  newPage,
  PORTAL_DIR,
  saveScreenshot,
} from "../../testing/browser.ts";
import { freePort } from "../../testing/free-port.ts";

const PASSWORD = "cookies are for eating";
const SESSION_COOKIE = "__Host-zq_session";

/**
 * Every page of the portal, read from its router (App.tsx), so a page added later is covered
 * without editing this test; plus a path no page has (the not-found page).
 */
function portalPages(): string[] {
  const source = readFileSync(join(PORTAL_DIR, "src/App.tsx"), "utf8");
  const paths = [...source.matchAll(/<Route\s+path="([^"*]+)"/g)].map((m) => `/${m[1]}`);
  assert.ok(source.includes("<Route index"), "the router has an index page");
  return ["/", ...paths, "/no-such-page"];
}

/** Every URL the browser asked for, whatever asked (page, script, image, font, fetch). */
function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on("request", (request) => urls.push(request.url()));
  return urls;
}

/** Requests that left the server under test: any other host, port or scheme (data: and blob: stay in the page). */
function thirdParty(urls: readonly string[], origin: string): string[] {
  return urls.filter((url) => !url.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(url));
}

async function visitEveryPage(page: Page, origin: string, pages: readonly string[], shots: string) {
  for (const path of pages) {
    await page.goto(`${origin}${path}`, { waitUntil: "networkidle" });
    await page.locator("h1").first().waitFor();
    await saveScreenshot(page, shots, path === "/" ? "index" : path);
  }
}

describe("cookies and third parties (privacy policy §10), Chromium on SQLite", () => {
  let database: TestDatabase;
  let services: Services;
  let http: FastifyInstance;
  let browser: Browser;
  let origin: string;
  const email = "cookie-test@example.test";

  before(async () => {
    await ensurePortalBuilt();
    database = await createTestDatabase("sqlite");
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    services = composeServices(database.db, { sipDomain: "sip.test.zaqros", portalUrl: origin });
    http = buildHttpApp({
      logger: createLogger({ level: "silent", format: "json" }),
      metrics: new Registry(),
      databaseReady: async () => true,
      api: { services, session: sessionAuthenticator(services.identity) },
      auth: { identity: services.identity, accounts: services.accounts },
      legal: { legal: services.legal },
      sipSettings: { domain: "sip.test.zaqros", host: "127.0.0.1", port: 5060 },
    });
    await http.listen({ host: "127.0.0.1", port });
    browser = await launchBrowser();

    await services.identity.signUp({
      name: "Cookie Tester",
      email,
      password: PASSWORD,
      confirmsAge16OrOver: true,
      acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
      acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
    });
    const [mail] = await services.notify.listOutbox(1);
    const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? "")?.[1];
    assert.ok(token, "the verification mail holds a link");
    await services.identity.verifyEmail(token);
  });
  after(async () => {
    await browser?.close();
    await http?.close();
    await database?.close();
  });

  test("when every portal page is loaded signed out and then signed in, then the only cookie is the __Host- session cookie and no request goes to another host", async () => {
    const pages = portalPages();
    assert.ok(pages.length >= 15, `the router lists the portal's pages: ${pages.join(" ")}`);
    const { context, page } = await newPage(browser);
    const urls = recordRequests(context);

    await visitEveryPage(page, origin, pages, "cookies signed out");
    assert.deepEqual(await context.cookies(), [], "signed out, the portal sets no cookie at all");

    await page.goto(`${origin}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await visitEveryPage(page, origin, pages, "cookies signed in");

    const cookies = await context.cookies();
    assert.deepEqual(
      cookies.map((c) => [c.name, c.domain, c.path, c.httpOnly, c.secure, c.sameSite]),
      [[SESSION_COOKIE, "127.0.0.1", "/", true, true, "Lax"]],
      "signed in, the session cookie is the only cookie",
    );
    // A string, so this file needs no DOM types: it runs in the page.
    const storage = await page.evaluate("[localStorage.length, sessionStorage.length]");
    assert.deepEqual(storage, [0, 0], "nothing is kept in web storage either");
    assert.ok(urls.length > pages.length * 2, "the pages made their API requests");
    assert.deepEqual(thirdParty(urls, origin), [], "every request went to the server itself");
    await context.close();
  });

  test("when a material change is announced, then pages show the notice before it takes effect and the Legal page shows each document's last-updated date", async () => {
    const effective = new Date(Date.now() + 45 * 24 * 60 * 60 * 1000);
    await services.legal.publish({
      document: "privacy",
      version: "next",
      body: "Privacy Policy\n1. Overview\nThe new text.",
      effectiveAt: effective,
      material: true,
      summary: "We explain how long support chats are kept.",
    });
    const { context, page } = await newPage(browser);
    const urls = recordRequests(context);
    await page.goto(`${origin}/login`, { waitUntil: "networkidle" });
    const notice = page.getByRole("complementary", { name: "Changes to our terms" });
    await notice.getByText("We explain how long support chats are kept.").waitFor();
    const day = effective.toLocaleDateString("en-GB", {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
    assert.match((await notice.textContent()) ?? "", new RegExp(`Our Privacy Policy changes on ${day}\\.`));

    await notice.getByRole("link", { name: "Read the new version" }).click();
    await page.getByRole("heading", { name: "Legal", exact: true, level: 1 }).waitFor();
    const privacy = page.locator("article#privacy");
    await privacy.getByText("Last updated: 14 April 2026").waitFor();
    await privacy.getByRole("heading", { name: "9. Your rights" }).waitFor();
    await privacy.getByText("Lodge a complaint with a data-protection authority in your country.").waitFor();
    await page.locator("article#terms").getByText("Last updated: 30 November 2026").waitFor();
    await page.getByRole("heading", { name: `Privacy Policy: new version from ${day}` }).waitFor();
    await saveScreenshot(page, "legal page", "with announced change");
    assert.deepEqual(await context.cookies(), []);
    assert.deepEqual(thirdParty(urls, origin), []);
    await context.close();
  });
});
