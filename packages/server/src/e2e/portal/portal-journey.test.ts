import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { parse } from "csv-parse/sync";
import { Secret, TOTP } from "otpauth";
import type { Browser, Page } from "playwright-core";
import { unfold } from "../../domains/notify/smtp-capture.ts";
import { launchBrowser, newPage, saveScreenshot } from "../../testing/browser.ts";
import { freePort } from "../../testing/free-port.ts";
import { runSipp } from "../../testing/sipp.ts";
import { CARRIER_A_IP, PHONE_IP, ZAQROS_IP } from "../../testing/voice-fixture.ts";
import { type PortalFixture, startPortalFixture } from "./portal-fixture.ts";

/** What a focus check reads in the page (the server is typed without the DOM library). */
interface FocusedDocument {
  document: { activeElement: { tagName: string; textContent: string | null } | null };
}

const PASSWORD = "a long walk by the river";
const DIALLED = "00442079460958";
const DIALLED_E164 = "+442079460958";
/** 0.60 a minute to the UK with a 0.05 connect fee, billed by the second. */
const DECK = "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment\n44,0.60,0.05,1,1\n";

/** What a person sees of an amount: the portal's en-GB format with two to six decimals. */
function shownMoney(micros: number, currency: string): string {
  const text = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(
    micros / 1_000_000,
  );
  return `${text} ${currency}`;
}

/** The link a mail holds, exactly as the customer would click it. */
function linkIn(raw: string, path: string): string {
  const match = new RegExp(`https?://[^\\s"<>]+/${path}\\?token=[A-Za-z0-9_-]+`).exec(unfold(raw));
  assert.ok(match, `a ${path} link in the mail:\n${raw}`);
  return match[0];
}

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

/** Form controls a screen reader could not name: no <label>, no aria-label. */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(
    `[...document.querySelectorAll("input, select, textarea")]
      .filter((e) => e.type !== "hidden" && !(e.labels && e.labels.length) && !e.getAttribute("aria-label"))
      .map((e) => e.outerHTML)`,
  );
}

/** A screenshot of the page, after checking every control on it has a label. */
async function shoot(page: Page, test: string, name: string): Promise<void> {
  assert.deepEqual(await unlabelledControls(page), [], `every control on ${name} has a label`);
  await saveScreenshot(page, test, name);
}

/** The current TOTP code, or the next step's when `ahead` (a code is accepted once; RFC 6238 §5.2). */
function totpCode(secret: string, ahead = false): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
  return totp.generate({ timestamp: Date.now() + (ahead ? 30_000 : 0) });
}

describe("portal in Chromium (SQLite)", () => {
  let fx: PortalFixture;
  let browser: Browser;
  let carrierPort: number;

  before(async () => {
    [fx, browser] = await Promise.all([startPortalFixture(), launchBrowser()]);
    carrierPort = await freePort();
    const carrier = await fx.services.carriers.add({
      name: "Carrier A",
      host: CARRIER_A_IP,
      port: carrierPort,
    });
    await fx.services.carriers.importDeck(carrier.id, "prefix,cost_per_minute\n44,0.0100\n");
    await fx.services.rating.importDeck("uk-per-second", DECK, { currency: "USD" });
  });
  after(async () => {
    await browser?.close();
    await fx?.close();
  });

  async function signUpInPortal(page: Page, name: string, email: string, shots?: string) {
    await page.goto(`${fx.baseUrl}/signup`);
    await page.getByLabel("Full name").fill(name);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Mobile phone").fill("+1 415 555 0100");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("I am 16 or older.").check();
    await page.getByLabel(/I accept the Terms/).check();
    if (shots) await shoot(page, shots, "01-sign-up");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
  }

  async function signIn(page: Page, email: string, password = PASSWORD) {
    await page.goto(`${fx.baseUrl}/login`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  async function accountIdOf(page: Page): Promise<string> {
    const me = await page.request.get(`${fx.baseUrl}/api/v1/auth/me`);
    assert.equal(me.status(), 200);
    return (await me.json()).id as string;
  }

  test("when a customer signs up, verifies, adds a phone, calls, downloads the CSV and turns on two-factor, then the portal shows each step", async () => {
    const shots = "customer journey";
    const email = `journey-${randomBytes(3).toString("hex")}@example.com`;
    const { context, page } = await newPage(browser);
    const cspRefusals = watchCsp(page);

    // Sign up, then the verification mail arrives over SMTP and its link confirms the address.
    await signUpInPortal(page, "Ada Lovelace", email, shots);
    await shoot(page, shots, "02-check-your-email");
    const mail = await fx.smtp.waitFor(email, /verify-email\?token=/);
    const link = linkIn(mail.raw, "verify-email");
    assert.ok(link.startsWith(`${fx.baseUrl}/verify-email?token=`), link);
    await page.goto(link);
    await page.getByText("Your email address is confirmed.").waitFor();
    await shoot(page, shots, "03-email-confirmed");

    // Sign in: the dashboard greets the customer by name.
    await signIn(page, email);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.getByText("Welcome back, Ada Lovelace.").waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "__Host-zq_session");
    assert.ok(session?.httpOnly && session.secure && session.sameSite === "Lax", JSON.stringify(cookies));
    await shoot(page, shots, "04-dashboard-empty");

    // The operator puts the account on a plan and credits 10.00 (top-up is the payments work).
    const accountId = await accountIdOf(page);
    await fx.services.rating.assignPlan(accountId, "uk-per-second");
    await fx.services.ledger.credit(accountId, "10.00", {
      reason: "test top-up",
      actor: "test",
      kind: "topup",
    });

    // Add a phone: the password is shown once, with the server address and port.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Phones" }).click();
    await page.getByText("No phones yet").waitFor();
    await page.getByLabel("Name for this phone (optional)").fill("Desk phone");
    await page.getByRole("button", { name: "Add phone" }).click();
    const username = (await page.getByTestId("sip-username").textContent()) ?? "";
    const password = (await page.locator(".shown-once .secret").textContent()) ?? "";
    assert.match(username, /^zq\d{8}$/);
    assert.match(password, /^[A-Za-z0-9]{20}$/);
    await page.getByText(`${fx.sipPort} (UDP)`).waitFor();
    await page.getByRole("cell", { name: "Desk phone", exact: true }).waitFor();
    await page.getByText("Linphone (desktop, Android, iOS)").click();
    await shoot(page, shots, "05-phones");

    // Call the UK with SIPp using that phone's credentials, through a SIPp carrier that answers.
    const before = fx.records.length;
    const carrier = runSipp({
      scenario: "carrier-answer.xml",
      localIp: CARRIER_A_IP,
      localPort: carrierPort,
      pauseMs: 2000,
    });
    const phone = await runSipp({
      scenario: "call-device.xml",
      remote: `${ZAQROS_IP}:${fx.sipPort}`,
      localIp: PHONE_IP,
      localPort: await freePort(),
      service: DIALLED,
      auth: { username, password },
      pauseMs: 2000,
      variables: { user: username },
      timeoutSeconds: 30,
    }).done;
    assert.equal(phone.code, 0, phone.stdout.slice(-1500));
    assert.equal((await carrier.done).code, 0);
    const record = (await fx.recordsAfter(before + 1)).at(-1)!;
    const cdr = await fx.services.cdrs.byCallId(record.id);
    assert.ok(cdr && cdr.cost > 0, "the call was charged");
    const cost = shownMoney(cdr.cost, "USD");

    // Calls: the call and its cost.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calls" }).click();
    const row = page.locator("tbody tr", { hasText: DIALLED_E164 });
    await row.waitFor();
    assert.equal(await row.count(), 1);
    assert.match((await row.textContent()) ?? "", /Answered/);
    assert.equal(await row.locator("td").last().textContent(), cost);
    await shoot(page, shots, "06-calls");

    // The number filter keeps the call; the "Not answered" filter leaves nothing.
    await page.getByLabel("Number").fill(DIALLED_E164);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/number=%2B442079460958/);
    await row.waitFor();
    await page.getByLabel("Status").selectOption("unanswered");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("No calls match these filters").waitFor();
    await page.getByRole("button", { name: "Clear" }).click();
    await row.waitFor();
    assert.equal(await page.getByLabel("Number").inputValue(), "", "Clear empties the form too");
    assert.equal(await page.getByLabel("Status").inputValue(), "");

    // CSV download holds the same call with its cost.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "calls.csv");
    const rows = parse(readFileSync((await download.path())!, "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.destination, DIALLED_E164);
    assert.equal(rows[0]?.call_id, cdr.callId);
    assert.equal(rows[0]?.account_id, accountId);
    assert.equal(Math.round(Number(rows[0]?.cost) * 1_000_000), cdr.cost);
    assert.equal(rows[0]?.currency, "USD");

    // Dashboard: balance after the charge, this month's spend, the chart and the recent call.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    const balance = 10_000_000 - cdr.cost;
    await page
      .getByTestId("balance")
      .getByText(`${Math.floor(balance / 1e6)}.`)
      .waitFor();
    assert.equal(await page.getByTestId("month-spend").textContent(), cost);
    await page.locator("svg.chart").waitFor();
    const heights = await page
      .locator("svg.chart rect.bar")
      .evaluateAll((bars) => bars.map((bar) => Number(bar.getAttribute("height"))));
    assert.equal(
      heights.length,
      new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 0)).getUTCDate(),
    );
    assert.equal(heights.filter((h) => h > 0).length, 1, "one day with spend");
    await page.locator("tbody tr", { hasText: DIALLED_E164 }).first().waitFor();
    await shoot(page, shots, "07-dashboard");

    // Remove the phone: it leaves the list and its password stops working.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Phones" }).click();
    await page.getByRole("button", { name: "Remove Desk phone" }).click();
    await page.getByRole("button", { name: "Yes, remove Desk phone" }).click();
    await page.getByText("Removed Desk phone. Its password no longer works.").waitFor();
    await page.getByText("No phones yet").waitFor();
    assert.equal(await fx.services.devices.credentials(username), undefined);

    // Rates: the price to call the number just called.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Rates" }).click();
    await page.getByLabel("Number to call").fill("+44 20 7946 0958");
    await page.getByRole("button", { name: "Check price" }).click();
    assert.equal(await page.getByTestId("price-per-minute").textContent(), "0.60 USD");
    await shoot(page, shots, "08-rates");

    for (const [name, heading, file] of [
      ["Numbers", "Numbers", "09-numbers"],
      ["Top up", "Top up", "10-top-up"],
      ["Profile", "Profile", "11-profile"],
      ["Privacy", "Privacy", "12-privacy"],
      ["Legal", "Legal", "13-legal"],
    ] as const) {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      await page.waitForLoadState("networkidle");
      await shoot(page, shots, file);
    }

    // API keys: the key is shown once and then only its prefix; revoking marks it.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
    await page.getByText("No API keys").waitFor();
    await page.getByLabel("Name").fill("billing export");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.locator(".shown-once .secret").textContent()) ?? "";
    assert.ok(key.length >= 20, key);
    const listed = await page.request.get(`${fx.baseUrl}/api/v1/balance`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(listed.status(), 200, "the new key works");
    await shoot(page, shots, "14-api-keys");
    await page.getByRole("button", { name: "Revoke billing export" }).click();
    await page.getByRole("button", { name: "Yes, revoke billing export" }).click();
    await page.getByText("Revoked").waitFor();

    // Two-factor: set up with the secret, confirm a code, get recovery codes.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security" }).click();
    await page.getByRole("cell", { name: "This device" }).waitFor();
    await page.getByRole("cell", { name: "Signed in" }).first().waitFor();
    const twoFactor = page.locator("section", {
      has: page.getByRole("heading", { name: "Two-factor sign-in" }),
    });
    await twoFactor.getByLabel("Current password").fill(PASSWORD);
    await twoFactor.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
    assert.match((await page.getByTestId("totp-uri").textContent()) ?? "", /^otpauth:\/\/totp\//);
    await twoFactor.getByLabel("Code from the app").fill(totpCode(secret));
    await twoFactor.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
    await page.getByTestId("recovery-codes").waitFor();
    assert.ok((await page.getByTestId("recovery-codes").locator("li").count()) >= 8);
    await twoFactor.getByText("On", { exact: true }).waitFor();
    await shoot(page, shots, "15-security");

    // Sign out, then sign in with password and a fresh code.
    await page.getByRole("button", { name: "Sign out" }).first().click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await signIn(page, email);
    await page.getByRole("heading", { name: "Enter your code" }).waitFor();
    await shoot(page, shots, "16-sign-in-code");
    await page.getByLabel("Authentication code").fill("000000");
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page
      .getByRole("alert")
      .getByText(/That code is not right/)
      .waitFor();
    // The enabling code's 30-second step is spent; the next step's code is the one a phone shows soon.
    await page.getByLabel("Authentication code").fill(totpCode(secret, true));
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();

    // On a phone-sized screen the navigation folds into a menu button and the pages still fit.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await shoot(page, shots, "17-dashboard-phone-width");
    const pageWidth = await page.evaluate<number>("document.documentElement.scrollWidth");
    assert.ok(pageWidth <= 390, `no sideways scrolling (${pageWidth} px)`);
    await page.getByRole("button", { name: "Menu" }).click();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calls" }).click();
    await page.getByRole("heading", { name: "Calls" }).waitFor();
    await shoot(page, shots, "18-calls-phone-width");

    assert.deepEqual(cspRefusals, [], "nothing was refused by the Content-Security-Policy");
    await context.close();
  });

  test("when a customer's name holds <script> and markup, then every page shows it as text and nothing runs", async () => {
    const shots = "name with script";
    const email = `script-${randomBytes(3).toString("hex")}@example.com`;
    const name = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">Eve`;
    const { context, page } = await newPage(browser);
    const cspRefusals = watchCsp(page);
    await signUpInPortal(page, name, email);
    await signIn(page, email);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.getByText(`Welcome back, ${name}.`).waitFor();
    assert.equal(await page.locator(".who").textContent(), name);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Profile" }).click();
    assert.equal(await page.getByLabel("Full name").inputValue(), name);
    await shoot(page, shots, "profile");
    assert.equal(await page.locator("main img, header img").count(), 0, "no element made from the name");
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(cspRefusals, []);
    await context.close();
  });

  test("when every Calls filter gets injection attempts, then they are refused or match nothing and no other customer's call shows", async () => {
    const shots = "calls filter injection";
    // Someone else's call, which no filter may reveal.
    const other = await fx.services.accounts.create({
      name: "Other",
      email: `other-${randomBytes(3).toString("hex")}@example.com`,
    });
    const at = new Date(Date.now() - 3_600_000).toISOString();
    await fx.services.cdrs.record({
      id: randomUUID(),
      callId: `other-${randomBytes(4).toString("hex")}`,
      accountId: other.id,
      deviceId: null,
      direction: "outbound",
      source: "+14155550199",
      destination: "+33142685300",
      startedAt: at,
      answeredAt: at,
      endedAt: at,
      durationSeconds: 0,
      billedSeconds: 0,
      cost: 0,
      currency: "USD",
      carrierId: null,
      sipStatus: 200,
      hangupBy: "caller",
      nodeId: "portal-test",
      planId: null,
      ratePrefix: null,
    });

    const email = `probe-${randomBytes(3).toString("hex")}@example.com`;
    const { context, page } = await newPage(browser);
    let dialogs = 0;
    page.on("dialog", (dialog) => {
      dialogs++;
      dialog.dismiss().catch(() => undefined);
    });
    await signUpInPortal(page, "Mallory", email);
    await signIn(page, email);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();

    const attacks = [
      "' OR '1'='1",
      "1; DROP TABLE cdrs; --",
      '"><script>alert(1)</script>',
      "+33142685300' OR 1=1 --",
      "%' UNION SELECT * FROM accounts --",
      "javascript:alert(1)",
      "{{7*7}}<%= 7*7 %>",
    ];
    const filters = ["from", "to", "number", "status"] as const;
    for (const filter of filters) {
      for (const attack of attacks) {
        await page.goto(`${fx.baseUrl}/calls?${new URLSearchParams({ [filter]: attack })}`);
        await page.getByRole("heading", { name: "Calls" }).waitFor();
        const outcome = page.getByRole("alert").or(page.getByText(/No calls (match these filters|yet)/));
        await outcome.first().waitFor();
        assert.equal(await page.locator("tbody tr").count(), 0, `${filter}=${attack} shows no call`);
      }
    }
    await page.goto(`${fx.baseUrl}/calls?${new URLSearchParams({ number: "' OR '1'='1" })}`);
    await page.getByRole("alert").waitFor();
    await shoot(page, shots, "refused-filter");

    // The API itself, asked directly with the session: a 4xx problem or an empty page, never data.
    for (const filter of filters) {
      for (const attack of attacks) {
        const response = await page.request.get(
          `${fx.baseUrl}/api/v1/cdrs?${new URLSearchParams({ [filter]: attack })}`,
        );
        const body = await response.text();
        assert.ok(!body.includes("+33142685300"), `${filter}=${attack}: ${body.slice(0, 200)}`);
        if (response.status() === 200) assert.deepEqual(JSON.parse(body).items, []);
        else
          assert.ok(
            response.status() >= 400 && response.status() < 500,
            `${filter}=${attack}: ${response.status()}`,
          );
      }
    }
    const csv = await page.request.get(
      `${fx.baseUrl}/api/v1/cdrs.csv?number=${encodeURIComponent("' OR 1=1 --")}`,
    );
    assert.equal(csv.status(), 200);
    assert.equal((await csv.text()).trim().split("\n").length, 1, "the CSV holds its header only");

    // The other customer's call is still there, and the server still answers.
    const kept = await fx.services.cdrs.list({
      accountId: other.id,
      from: new Date(Date.now() - 86_400_000),
      to: new Date(),
      limit: 10,
    });
    assert.equal(kept.items.length, 1);
    assert.equal(dialogs, 0, "no alert() ran");
    assert.equal((await page.request.get(`${fx.baseUrl}/healthz`)).status(), 200);
    await context.close();
  });

  test("when a customer forgets the password, then the mailed link sets a new one and ending another session signs that browser out", async () => {
    const shots = "password reset and sessions";
    const email = `reset-${randomBytes(3).toString("hex")}@example.com`;
    const first = await newPage(browser);
    const second = await newPage(browser, { viewport: { width: 390, height: 844 } });
    const { page } = first;
    await signUpInPortal(page, "Grace Hopper", email);

    await page.goto(`${fx.baseUrl}/login`);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send link" }).click();
    await page.getByText(/If an account uses that address/).waitFor();
    await shoot(page, shots, "01-reset-requested");
    const link = linkIn((await fx.smtp.waitFor(email, /reset-password\?token=/)).raw, "reset-password");
    await page.goto(link);
    const newPassword = "another quite long passphrase";
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Repeat the new password").fill("not the same");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByRole("alert").getByText("The two passwords are not the same.").waitFor();
    await page.getByLabel("Repeat the new password").fill(newPassword);
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("Your password is changed.").waitFor();
    await shoot(page, shots, "02-new-password-set");

    // The old password no longer works; the new one does.
    await signIn(page, email);
    await page.getByRole("alert").getByText("That email and password do not match an account.").waitFor();
    await signIn(page, email, newPassword);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();

    // A second browser signs in; the first ends that session from Security.
    await signIn(second.page, email, newPassword);
    await second.page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security" }).click();
    const end = page.getByRole("button", { name: /^End session from/ });
    await end.waitFor();
    assert.equal(await end.count(), 1);
    await shoot(page, shots, "03-two-sessions");
    await end.click();
    await end.waitFor({ state: "detached" });
    await page.getByText("This device").waitFor();
    await second.page.goto(`${fx.baseUrl}/calls`);
    await second.page.getByRole("heading", { name: "Sign in" }).waitFor();
    assert.match(second.page.url(), /\/login\?next=%2Fcalls$/);
    await shoot(second.page, shots, "04-ended-session-sign-in-phone-width");
    await first.context.close();
    await second.context.close();
  });

  test("when an account has more calls than a page holds, then Older and Newer walk the pages without repeats", async () => {
    const shots = "calls pagination";
    const email = `pages-${randomBytes(3).toString("hex")}@example.com`;
    const { context, page } = await newPage(browser);
    await signUpInPortal(page, "Paging Customer", email);
    await signIn(page, email);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    const accountId = await accountIdOf(page);
    const start = Date.now() - 2 * 3_600_000;
    const calls = Array.from({ length: 30 }, (_, i) => {
      const at = new Date(start + i * 60_000).toISOString();
      return {
        id: randomUUID(),
        callId: `page-${i}-${randomBytes(3).toString("hex")}`,
        accountId,
        deviceId: null,
        direction: "outbound" as const,
        source: "+14155550100",
        destination: `+4420794600${String(i).padStart(2, "0")}`,
        startedAt: at,
        answeredAt: i % 3 === 0 ? null : at,
        endedAt: at,
        durationSeconds: 0,
        billedSeconds: 0,
        cost: i * 1000,
        currency: "USD",
        carrierId: null,
        sipStatus: i % 3 === 0 ? 486 : 200,
        hangupBy: "caller" as const,
        nodeId: "portal-test",
        planId: null,
        ratePrefix: null,
      };
    });
    await fx.services.cdrs.recordMany(calls);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calls" }).click();
    const destinations = () => page.locator("tbody tr td:nth-child(4)").allTextContents();
    await page.locator("tbody tr").nth(24).waitFor();
    const firstPage = await destinations();
    assert.equal(firstPage.length, 25);
    assert.equal(firstPage[0], "+442079460029", "newest first");
    await page.getByRole("button", { name: "Older calls" }).click();
    await page.getByRole("cell", { name: "+442079460004" }).waitFor();
    const secondPage = await destinations();
    assert.deepEqual(secondPage, [
      "+442079460004",
      "+442079460003",
      "+442079460002",
      "+442079460001",
      "+442079460000",
    ]);
    assert.equal(await page.getByRole("button", { name: "Older calls" }).isDisabled(), true);
    await page.getByRole("cell", { name: "Busy" }).first().waitFor();
    await shoot(page, shots, "last-page");
    await page.getByRole("button", { name: "Newer calls" }).click();
    await page.getByRole("cell", { name: "+442079460029" }).waitFor();
    assert.deepEqual(await destinations(), firstPage);

    // The status filter keeps the unanswered ten, across the same pages.
    await page.getByLabel("Status").selectOption("unanswered");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/status=unanswered/);
    await page.getByRole("cell", { name: "+442079460028" }).waitFor({ state: "detached" });
    await page.getByRole("cell", { name: "+442079460027" }).waitFor();
    assert.deepEqual(
      await destinations(),
      [27, 24, 21, 18, 15, 12, 9, 6, 3, 0].map((i) => `+4420794600${String(i).padStart(2, "0")}`),
    );
    await context.close();
  });

  test("when a customer uses only the keyboard, then they sign in, skip to the content and reach every page from the menu", async () => {
    const email = `keys-${randomBytes(3).toString("hex")}@example.com`;
    const { context, page } = await newPage(browser);
    await signUpInPortal(page, "Key Board", email);
    await page.goto(`${fx.baseUrl}/login`);
    await page.getByLabel("Email").focus();
    await page.keyboard.type(email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();

    // A new page puts the focus on its heading, past the navigation; from the top of the page the
    // first Tab reaches the skip link.
    const focused = () => page.evaluate<string>("document.activeElement?.textContent ?? ''");
    assert.equal(await focused(), "Dashboard");
    await page.goto(`${fx.baseUrl}/`);
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "Skip to content");
    await page.keyboard.press("Enter");
    assert.match(page.url(), /#main$/);

    // Every menu entry is reachable with Tab and opens its page with Enter.
    for (const name of ["Calls", "Phones", "Numbers", "Rates", "Profile", "Security", "API keys"]) {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).focus();
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { level: 1, name }).waitFor();
      // The link and the heading share their text: wait for the heading itself to hold the focus,
      // which React moves there just after the page paints, before the next link is focused. A
      // function, not a string: the portal's CSP forbids the eval a polled string would need.
      await page.waitForFunction((text) => {
        const active = (globalThis as unknown as FocusedDocument).document.activeElement;
        return active?.tagName === "H1" && active.textContent === text;
      }, name);
      assert.equal(await focused(), name, `focus moves to the heading of ${name}`);
    }
    await context.close();
  });

  test("when a customer corrects name and phone on Profile, then the header and the account show the new ones", async () => {
    const shots = "profile correction";
    const email = `profile-${randomBytes(3).toString("hex")}@example.com`;
    const { context, page } = await newPage(browser);
    await signUpInPortal(page, "Ada Byron", email);
    await signIn(page, email);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Profile" }).click();
    assert.equal(await page.getByLabel("Full name").inputValue(), "Ada Byron");
    await page.getByLabel("Full name").fill("Ada King");
    await page.getByLabel("Mobile phone").fill("+1 (415) 555-0123");
    await page.getByRole("button", { name: "Save details" }).click();
    await page.getByText("Your details are saved.").or(page.getByRole("alert")).waitFor();
    assert.equal(
      await page.getByRole("alert").count(),
      0,
      (await page.getByRole("alert").allTextContents()).join(" "),
    );
    await page.locator(".who", { hasText: "Ada King" }).waitFor();
    const account = await (await page.request.get(`${fx.baseUrl}/api/v1/account`)).json();
    assert.equal(account.name, "Ada King");
    assert.equal(account.phone, "+14155550123");
    await page.getByLabel("Mobile phone").fill("call me maybe");
    await page.getByRole("button", { name: "Save details" }).click();
    await page.getByRole("alert").waitFor();
    await shoot(page, shots, "profile");
    assert.equal(
      (await (await page.request.get(`${fx.baseUrl}/api/v1/account`)).json()).phone,
      "+14155550123",
    );
    await context.close();
  });
});
