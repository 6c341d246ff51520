import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { after, before, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { Registry } from "prom-client";
import { PayPalSandbox } from "../../../dev/paypal-sandbox/paypal-sandbox.ts";
import { createLogger } from "../../../logging/logger.ts";
import type { PaymentsOptions, Services } from "../../../main/compose.ts";
import { freePort } from "../../../testing/free-port.ts";
import { forEachDialectWithServices } from "../../../testing/test-services.ts";
import { buildHttpApp } from "../app.ts";

const sandbox = new PayPalSandbox();
const paymentOptions: PaymentsOptions = {
  limits: { minimum: 5_000_000, maximum: 100_000_000, dailyCap: 150_000_000 },
};
before(async () => {
  await sandbox.start();
});
after(() => sandbox.stop());

function appFor(services: Services, logLines: string[]): FastifyInstance {
  const stream = new PassThrough();
  stream.on("data", (chunk) => logLines.push(...String(chunk).split("\n").filter(Boolean)));
  return buildHttpApp({
    logger: createLogger({ level: "trace", format: "json", destination: stream }),
    metrics: new Registry(),
    databaseReady: async () => true,
    api: { services },
    payments: { payments: services.payments },
  });
}

forEachDialectWithServices(
  "payments over HTTP with the PayPal sandbox",
  (context) => {
    const run = randomBytes(3).toString("hex");
    const logLines: string[] = [];
    let app: FastifyInstance;
    let base = "";
    let serial = 0;

    before(async () => {
      // PayPal's return URL and the webhook need the app's address before the services exist.
      base = `http://127.0.0.1:${await freePort()}`;
      paymentOptions.publicUrl = base;
      const webhook = sandbox.registerWebhook(`${base}/webhooks/paypal`);
      paymentOptions.paypal = {
        baseUrl: sandbox.url,
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        webhookId: webhook.id,
      };
    });
    after(() => app?.close());

    /** The services are composed on first use, after the sandbox settings are in place. */
    async function started() {
      if (app) return app;
      app = appFor(context().services, logLines);
      await app.listen({ host: "127.0.0.1", port: Number(new URL(base).port) });
      return app;
    }

    async function customerKey(currency = "USD") {
      const { services } = context();
      const account = await services.accounts.create({
        name: "Grace Payer",
        email: `grace-${run}-${++serial}@example.com`,
        currency,
      });
      const key = await services.apiKeys.create(account.id, { name: "test", scope: "read-write" });
      return { accountId: account.id, headers: { authorization: `Bearer ${key.secret}` } };
    }

    const api = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      await started();
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
      });
      const text = await response.text();
      return {
        status: response.status,
        type: response.headers.get("content-type") ?? "",
        location: response.headers.get("location"),
        body: text ? JSON.parse(text) : undefined,
      };
    };

    test("when a customer tops up 10.00 and approves at PayPal, then the return page leads to the portal and the balance is 10.00 higher", async () => {
      const { headers } = await customerKey();
      const settings = await api("GET", "/api/v1/topups/settings", headers);
      assert.deepEqual(settings.body, {
        configured: true,
        currency: "USD",
        minimum: "5.00",
        maximum: "100.00",
        dailyLimit: "150.00",
        remainingToday: "150.00",
      });
      const before = await api("GET", "/api/v1/balance", headers);
      const created = await api("POST", "/api/v1/topups", headers, { amount: "10.00" });
      assert.equal(created.status, 201);
      assert.equal(created.body.topUp.status, "created");
      assert.equal(created.body.topUp.formatted, "10.00");
      assert.ok(created.body.approveUrl.startsWith(`${sandbox.url}/checkoutnow?token=`));
      const orderId = new URL(created.body.approveUrl).searchParams.get("token") as string;
      const approved = await fetch(`${sandbox.url}/checkoutnow/approve`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `token=${orderId}`,
        redirect: "manual",
      });
      const returnUrl = approved.headers.get("location") as string;
      assert.ok(returnUrl.startsWith(`${base}/payments/paypal/return?topup=${created.body.topUp.id}`));
      const payerId = new URL(returnUrl).searchParams.get("PayerID") as string;
      const back = await api("GET", returnUrl.slice(base.length), {});
      assert.equal(back.status, 303);
      assert.equal(back.location, `/top-up?topup=${created.body.topUp.id}&result=completed`);
      await sandbox.settled();
      const after = await api("GET", "/api/v1/balance", headers);
      assert.equal(after.body.balance - before.body.balance, 10_000_000);
      const list = await api("GET", "/api/v1/topups", headers);
      assert.equal(list.body.items.length, 1);
      assert.equal(list.body.items[0].status, "completed");
      assert.ok(list.body.items[0].paypalReference);
      const delivered = sandbox.events.find(
        (e) =>
          e.eventType === "PAYMENT.CAPTURE.COMPLETED" &&
          (e.body.resource as { custom_id?: string }).custom_id === created.body.topUp.id,
      );
      assert.deepEqual(
        delivered?.deliveries
          .filter((d) => d.webhookId === paymentOptions.paypal?.webhookId)
          .map((d) => d.status),
        [200],
        "PayPal's webhook was accepted",
      );
      assert.ok(!logLines.some((line) => line.includes(payerId)), "the payer's PayPal id is not logged");
    });

    test("when a forged webhook is posted, then it is refused as problem+json, nothing is credited, and the log says so without secrets", async () => {
      const { accountId, headers } = await customerKey();
      const created = await api("POST", "/api/v1/topups", headers, { amount: "20.00" });
      const orderId = new URL(created.body.approveUrl).searchParams.get("token") as string;
      sandbox.approve(orderId);
      const forgedBody = JSON.stringify({
        id: `WH-FORGED-${run}`,
        event_type: "PAYMENT.CAPTURE.COMPLETED",
        resource: {
          id: "FORGEDCAPTURE",
          status: "COMPLETED",
          amount: { currency_code: "USD", value: "20.00" },
          custom_id: created.body.topUp.id,
        },
      });
      const genuine = sandbox.signedDelivery(
        JSON.stringify({ id: "WH-OTHER" }),
        paymentOptions.paypal?.webhookId as string,
      );
      const response = await fetch(`${base}/webhooks/paypal`, {
        method: "POST",
        headers: genuine.headers,
        body: forgedBody,
      });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get("content-type"), "application/problem+json; charset=utf-8");
      const problem = (await response.json()) as { code: string; title: string };
      assert.equal(problem.code, "PAYMENT.WEBHOOK_REJECTED");
      assert.equal(problem.title, "The notification's signature did not verify with PayPal.");
      const notJson = await fetch(`${base}/webhooks/paypal`, {
        method: "POST",
        headers: genuine.headers,
        body: "{not json",
      });
      assert.equal(notJson.status, 400);
      assert.equal((await api("GET", "/api/v1/balance", headers)).body.balance, 0);
      const topUp = await context().services.payments.get(accountId, created.body.topUp.id);
      assert.equal(topUp.status, "created");
      const rejected = logLines.filter((line) => line.includes("PayPal webhook rejected"));
      assert.ok(rejected.length >= 1, "the rejection is logged");
      assert.ok(rejected.some((line) => line.includes(genuine.headers["paypal-transmission-id"] as string)));
      for (const line of logLines) {
        assert.ok(!line.includes(sandbox.clientSecret), "no client secret in the log");
        assert.ok(
          !line.includes(genuine.headers["paypal-transmission-sig"] as string),
          "no signature in the log",
        );
        assert.ok(!/A21AA[A-Za-z0-9_-]{10}/.test(line), "no access token in the log");
      }
    });

    test("when a top-up is refused, then the answer is problem+json saying why", async () => {
      const { headers } = await customerKey();
      const cases: Array<[unknown, number, string, string]> = [
        [{ amount: "1.00" }, 422, "PAYMENT.BELOW_MINIMUM", "The smallest top-up is 5.00 USD."],
        [{ amount: "100.50" }, 422, "PAYMENT.ABOVE_MAXIMUM", "The largest single top-up is 100.00 USD."],
        [
          { amount: "10.00", currency: "EUR" },
          422,
          "PAYMENT.CURRENCY_NOT_ACCEPTED",
          "Your balance is in USD, so top-ups are in USD only, not EUR.",
        ],
        [
          { amount: "1e3" },
          422,
          "PAYMENT.INVALID_AMOUNT",
          "Enter the amount as a number such as 10.00 (whole USD cents at most).",
        ],
      ];
      for (const [body, status, code, title] of cases) {
        const answer = await api("POST", "/api/v1/topups", headers, body);
        assert.equal(answer.status, status, JSON.stringify(body));
        assert.match(answer.type, /^application\/problem\+json/);
        assert.equal(answer.body.code, code);
        assert.equal(answer.body.title, title);
      }
      const unknown = await api("POST", "/api/v1/topups", headers, {
        amount: "10.00",
        cardNumber: "4111111111111111",
      });
      assert.equal(unknown.status, 400);
      assert.equal((await api("POST", "/api/v1/topups", headers, { amount: "100.00" })).status, 201);
      const capped = await api("POST", "/api/v1/topups", headers, { amount: "60.00" });
      assert.equal(capped.status, 422);
      assert.equal(capped.body.code, "PAYMENT.DAILY_LIMIT_REACHED");
      assert.equal(
        capped.body.title,
        "Top-ups are limited to 150.00 USD a day; you can top up at most 50.00 USD more today.",
      );
      assert.equal((await api("POST", "/api/v1/topups", {}, { amount: "10.00" })).status, 401);
    });

    test("when the customer cancels at PayPal, then the cancel page marks the top-up cancelled and leads to the portal", async () => {
      const { headers } = await customerKey();
      const created = await api("POST", "/api/v1/topups", headers, { amount: "7.00" });
      const orderId = new URL(created.body.approveUrl).searchParams.get("token") as string;
      const cancelled = await fetch(`${sandbox.url}/checkoutnow/cancel`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `token=${orderId}`,
        redirect: "manual",
      });
      const back = await api("GET", (cancelled.headers.get("location") as string).slice(base.length), {});
      assert.equal(back.status, 303);
      assert.equal(back.location, `/top-up?topup=${created.body.topUp.id}&result=cancelled`);
      const one = await api("GET", `/api/v1/topups/${created.body.topUp.id}`, headers);
      assert.equal(one.body.status, "cancelled");
      const other = await customerKey();
      assert.equal((await api("GET", `/api/v1/topups/${created.body.topUp.id}`, other.headers)).status, 404);
      const bogus = await api(
        "GET",
        `/payments/paypal/return?topup=${created.body.topUp.id}&token=WRONG`,
        {},
      );
      assert.equal(bogus.location, `/top-up?topup=${created.body.topUp.id}&result=unknown`);
    });
  },
  { payments: paymentOptions },
);

forEachDialectWithServices("payments over HTTP, not configured", (context) => {
  test("when PayPal is not configured, then starting a top-up answers 503 problem+json and settings say not configured", async () => {
    const { services } = context();
    const app = appFor(services, []);
    const account = await services.accounts.create({
      name: "N",
      email: `n-${randomBytes(3).toString("hex")}@example.com`,
    });
    const key = await services.apiKeys.create(account.id, { name: "k", scope: "read-write" });
    const headers = { authorization: `Bearer ${key.secret}` };
    const settings = await app.inject({ method: "GET", url: "/api/v1/topups/settings", headers });
    assert.equal(settings.json().configured, false);
    const answer = await app.inject({
      method: "POST",
      url: "/api/v1/topups",
      headers,
      payload: { amount: "10.00" },
    });
    assert.equal(answer.statusCode, 503);
    assert.equal(answer.json().code, "PAYMENT.NOT_CONFIGURED");
    assert.equal(
      answer.json().title,
      "Payments are not configured on this server, so the balance cannot be topped up here yet.",
    );
    const webhook = await app.inject({ method: "POST", url: "/webhooks/paypal", payload: { id: "WH-1" } });
    assert.equal(webhook.statusCode, 503);
    await app.close();
  });
});
