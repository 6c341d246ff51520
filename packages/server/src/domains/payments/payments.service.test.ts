import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { PayPalSandbox } from "../../dev/paypal-sandbox/paypal-sandbox.ts";
import type { PaymentsOptions } from "../../main/compose.ts";
import { forEachDialectWithServices } from "../../testing/test-services.ts";
import { DomainError } from "../domain-error.ts";
import type { Admission } from "../ledger/credit-control.types.ts";
import { INVENTORY } from "../privacy/inventory.ts";
import type { CallRate } from "../rating/rating.types.ts";
import type { PaymentsService } from "./payments.service.ts";
import type { TopUp } from "./payments.types.ts";
import { PayPalApiError, PayPalClient } from "./paypal-client.ts";

const code = (expected: string) => (error: unknown) =>
  error instanceof DomainError && error.code === expected;
const USD = (units: number) => units * 1_000_000;

// One PayPal sandbox for the file; its webhooks reach whichever dialect's services run now,
// through a plain HTTP listener that hands the body and headers over exactly as received.
const sandbox = new PayPalSandbox();
let target: PaymentsService | undefined;
/** What the receiver answered to each delivery, with the event's type (PayPal's `event_type`). */
const webhookOutcomes: Array<{ eventType: string; status: number; outcome?: string; code?: string }> = [];
/**
 * The answers to deliveries of one event type, oldest first. Deliveries overlap (the order's
 * CHECKOUT.ORDER.APPROVED may finish after the capture's event), so a test looks up the event it
 * means rather than the last delivery.
 */
const outcomesOf = (eventType: string) => webhookOutcomes.filter((o) => o.eventType === eventType);

function eventTypeOf(body: string): string {
  try {
    return String((JSON.parse(body) as { event_type?: unknown }).event_type);
  } catch {
    return "(not JSON)";
  }
}
let receiver: Server;
let webhookId = "";

before(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const header = (name: string) => request.headers[name] as string | undefined;
      const body = Buffer.concat(chunks).toString("utf8");
      const eventType = eventTypeOf(body);
      (target as PaymentsService)
        .handleWebhook(
          {
            transmissionId: header("paypal-transmission-id"),
            transmissionTime: header("paypal-transmission-time"),
            transmissionSig: header("paypal-transmission-sig"),
            certUrl: header("paypal-cert-url"),
            authAlgo: header("paypal-auth-algo"),
          },
          body,
        )
        .then(
          (handled) => {
            webhookOutcomes.push({ eventType, status: 200, outcome: handled.outcome });
            response.writeHead(200).end();
          },
          (error: unknown) => {
            const status = error instanceof DomainError ? 400 : 500;
            webhookOutcomes.push({ eventType, status, code: (error as DomainError).code });
            response.writeHead(status).end();
          },
        );
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  await sandbox.start();
  webhookId = sandbox.registerWebhook(
    `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/paypal`,
  ).id;
  paymentOptions.paypal = {
    baseUrl: sandbox.url,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    webhookId,
  };
});
after(async () => {
  await sandbox.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const paymentOptions: PaymentsOptions = {
  limits: { minimum: USD(5), maximum: USD(100), dailyCap: USD(150) },
  publicUrl: "http://127.0.0.1:9",
};

forEachDialectWithServices(
  "payments: PayPal top-ups through the sandbox",
  (context) => {
    const run = randomBytes(3).toString("hex");
    let serial = 0;
    let tokensBefore = 0;

    before(() => {
      tokensBefore = sandbox.tokenRequests;
      target = context().services.payments;
    });

    async function customer(currency = "USD") {
      const account = await context().services.accounts.create({
        name: "Ada Payer",
        email: `payer-${run}-${++serial}@example.com`,
        currency,
      });
      return account.id;
    }

    const balanceOf = async (accountId: string) =>
      (await context().services.ledger.balance(accountId)).balance;

    /** Creates a top-up and approves it on the sandbox's page, as the payer's browser would. */
    async function approvedTopUp(accountId: string, amount = "10.00") {
      const { topUp, approveUrl } = await context().services.payments.createTopUp(accountId, { amount });
      const page = await fetch(approveUrl);
      assert.equal(page.status, 200);
      assert.match(await page.text(), new RegExp(`${amount.replace(".", "\\.")} USD`));
      const approved = await fetch(`${sandbox.url}/checkoutnow/approve`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: topUp.orderId as string }).toString(),
        redirect: "manual",
      });
      assert.equal(approved.status, 303);
      const back = new URL(approved.headers.get("location") as string);
      assert.equal(back.pathname, "/payments/paypal/return");
      return { topUp, back, token: back.searchParams.get("token") as string };
    }

    const topUpEntries = async (accountId: string) =>
      (await context().services.ledger.entries(accountId)).filter((e) => e.kind === "topup");

    const captureEvent = (topUp: TopUp, type = "PAYMENT.CAPTURE.COMPLETED") => {
      const event = sandbox.events.find(
        (e) => e.eventType === type && (e.body.resource as { custom_id?: string }).custom_id === topUp.id,
      );
      assert.ok(event, `the sandbox sent ${type} for top-up ${topUp.id}`);
      return event;
    };

    test("when the payer approves and comes back, then the balance rises by exactly the amount, once, and a receipt is mailed", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp, token } = await approvedTopUp(accountId, "10.00");
      const handled = await services.payments.completeReturn(topUp.id, token);
      await sandbox.settled();
      assert.equal(handled.value.status, "completed");
      assert.equal(await balanceOf(accountId), USD(10));
      assert.equal((await topUpEntries(accountId)).length, 1);
      // The webhook for the same capture arrived too, before or after the return: one of the two
      // credited, the other found it done.
      const webhook = outcomesOf("PAYMENT.CAPTURE.COMPLETED").at(-1);
      assert.equal(webhook?.status, 200);
      assert.deepEqual([handled.outcome, webhook?.outcome].sort(), ["already-credited", "credited"]);
      const [listed] = await services.payments.list(accountId);
      assert.equal(listed?.status, "completed");
      assert.ok(listed?.captureId, "PayPal's transaction reference is kept");
      const receipt = (await services.notify.listOutbox(50)).find(
        (m) => m.subject.includes("10.00 USD") && m.text.includes(listed?.captureId as string),
      );
      assert.ok(receipt, "a receipt naming the amount and PayPal's reference was mailed");
      assert.match(receipt.text, /Balance now: 10\.00 USD/);
    });

    test("when PayPal delivers the same webhook again, then the balance is not credited a second time", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp, token } = await approvedTopUp(accountId, "20.00");
      sandbox.holdWebhooks();
      await services.payments.completeReturn(topUp.id, token).catch(() => undefined);
      await sandbox.releaseWebhooks();
      const event = captureEvent(topUp);
      sandbox.resend(event.id);
      sandbox.resend(event.id);
      await sandbox.settled();
      assert.equal(await balanceOf(accountId), USD(20));
      assert.equal((await topUpEntries(accountId)).length, 1);
      assert.deepEqual(
        outcomesOf("PAYMENT.CAPTURE.COMPLETED")
          .slice(-2)
          .map((o) => o.outcome),
        ["duplicate", "duplicate"],
      );
    });

    test("when a webhook's signature does not verify, then it is rejected and nothing is credited", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp } = await approvedTopUp(accountId, "30.00");
      // A COMPLETED capture for the approved (not captured) top-up: it would credit if believed.
      const forgedEvent = JSON.stringify({
        id: `WH-FORGED-${run}`,
        event_type: "PAYMENT.CAPTURE.COMPLETED",
        resource_type: "capture",
        resource: {
          id: `FORGED${run}`,
          status: "COMPLETED",
          amount: { currency_code: "USD", value: "30.00" },
          custom_id: topUp.id,
          supplementary_data: { related_ids: { order_id: topUp.orderId } },
        },
      });
      // Genuine PayPal headers of another delivery, with this body: the CRC no longer matches.
      const genuine = sandbox.signedDelivery(
        JSON.stringify({ id: "WH-REAL", event_type: "PING" }),
        webhookId,
      );
      const transmission = (headers: Record<string, string>) => ({
        transmissionId: headers["paypal-transmission-id"],
        transmissionTime: headers["paypal-transmission-time"],
        transmissionSig: headers["paypal-transmission-sig"],
        certUrl: headers["paypal-cert-url"],
        authAlgo: headers["paypal-auth-algo"],
      });
      await assert.rejects(
        services.payments.handleWebhook(transmission(genuine.headers), forgedEvent),
        code("PAYMENT.WEBHOOK_REJECTED"),
      );
      // A signature made up from nothing, with a certificate of the forger's choosing.
      const madeUp = {
        ...genuine.headers,
        "paypal-transmission-sig": randomBytes(256).toString("base64"),
        "paypal-cert-url": "http://127.0.0.1:1/my-own-cert.pem",
      };
      await assert.rejects(
        services.payments.handleWebhook(transmission(madeUp), forgedEvent),
        code("PAYMENT.WEBHOOK_REJECTED"),
      );
      await assert.rejects(
        services.payments.handleWebhook(
          {
            transmissionId: undefined,
            transmissionTime: undefined,
            transmissionSig: undefined,
            certUrl: undefined,
            authAlgo: undefined,
          },
          forgedEvent,
        ),
        code("PAYMENT.WEBHOOK_REJECTED"),
      );
      assert.equal(await balanceOf(accountId), 0);
      assert.equal((await services.payments.get(accountId, topUp.id)).status, "created");
      assert.deepEqual(
        await services.payments.eventsOf(topUp.id),
        [],
        "a rejected notification leaves no trace",
      );
    });

    test("when PayPal captures an amount other than the order's, then nothing is credited and staff find it flagged", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp, token } = await approvedTopUp(accountId, "40.00");
      sandbox.setNextCapture(topUp.orderId as string, { amount: { currency_code: "USD", value: "4.00" } });
      const handled = await services.payments.completeReturn(topUp.id, token);
      await sandbox.settled();
      assert.equal(handled.outcome, "flagged");
      assert.match(handled.warning ?? "", /flagged for staff/);
      assert.equal(await balanceOf(accountId), 0);
      assert.equal((await services.payments.get(accountId, topUp.id)).status, "flagged");
      const flagged = await services.payments.listByStatus("flagged");
      assert.ok(
        flagged.some((t) => t.id === topUp.id),
        "staff see it among flagged top-ups",
      );
      // The webhook of the same capture does not credit it either.
      assert.equal(outcomesOf("PAYMENT.CAPTURE.COMPLETED").at(-1)?.outcome, "recorded");
      assert.equal(await balanceOf(accountId), 0);
    });

    test("when a capture comes in another currency than the order's, then it is flagged and not credited", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp, token } = await approvedTopUp(accountId, "15.00");
      sandbox.setNextCapture(topUp.orderId as string, { amount: { currency_code: "EUR", value: "15.00" } });
      assert.equal((await services.payments.completeReturn(topUp.id, token)).outcome, "flagged");
      await sandbox.settled();
      assert.equal(await balanceOf(accountId), 0);
    });

    test("when the merchant refunds at PayPal, then the webhook debits the balance once", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp, token } = await approvedTopUp(accountId, "25.00");
      const { value } = await services.payments.completeReturn(topUp.id, token);
      await sandbox.settled();
      // A partial refund made in PayPal's dashboard reaches Zaqros only as PAYMENT.CAPTURE.REFUNDED.
      const merchant = new PayPalClient({
        baseUrl: sandbox.url,
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        webhookId,
      });
      const refund = await merchant.refundCapture(
        value.captureId as string,
        { currency_code: "USD", value: "5.00" },
        `dash-${run}`,
      );
      await sandbox.settled();
      assert.equal(await balanceOf(accountId), USD(20));
      const event = sandbox.events.find(
        (e) =>
          e.eventType === "PAYMENT.CAPTURE.REFUNDED" && (e.body.resource as { id: string }).id === refund.id,
      );
      sandbox.resend(event?.id as string);
      await sandbox.settled();
      assert.equal(await balanceOf(accountId), USD(20), "a repeated refund notification debits nothing more");
      const after = await services.payments.get(accountId, topUp.id);
      assert.equal(after.status, "partially_refunded");
      assert.equal(after.refundedAmount, USD(5));
    });

    test("when staff refund a top-up, then the balance is debited once although PayPal's webhook follows, and a paid call is refused at zero", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp, token } = await approvedTopUp(accountId, "12.00");
      await services.payments.completeReturn(topUp.id, token);
      await sandbox.settled();
      const refunded = await services.payments.refund(topUp.id);
      await sandbox.settled();
      assert.equal(refunded.status, "refunded");
      assert.equal(await balanceOf(accountId), 0);
      assert.equal(outcomesOf("PAYMENT.CAPTURE.REFUNDED").at(-1)?.outcome, "duplicate");
      const refunds = (await services.ledger.entries(accountId)).filter((e) => e.kind === "refund");
      assert.equal(refunds.length, 1);
      assert.equal(refunds[0]?.amount, -USD(12));
      await assert.rejects(services.payments.refund(topUp.id), code("PAYMENT.WRONG_STATE"));
      await assert.rejects(
        services.creditControl.authorise(admission(accountId, `zero-${run}`)),
        code("BILLING.INSUFFICIENT_FUNDS"),
      );
    });

    test("when PayPal reverses a payment, then the balance is debited, may go below zero, and paid calls are refused until a top-up", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp, token } = await approvedTopUp(accountId, "10.00");
      const { value } = await services.payments.completeReturn(topUp.id, token);
      await sandbox.settled();
      const admitted = await services.creditControl.authorise(admission(accountId, `before-${run}`));
      assert.ok(admitted.maxSeconds > 0, "with credit, a paid call is admitted");
      // Spent meanwhile: the customer is down to 4.00 before the chargeback.
      await services.ledger.credit(accountId, "-6", { reason: "Calls", actor: "test" });
      sandbox.reverse(value.captureId as string);
      await sandbox.settled();
      assert.equal(await balanceOf(accountId), -USD(6));
      assert.equal((await services.payments.get(accountId, topUp.id)).status, "reversed");
      const reversal = (await services.ledger.entries(accountId)).find((e) => e.kind === "reversal");
      assert.equal(reversal?.amount, -USD(10));
      await assert.rejects(
        services.creditControl.authorise(admission(accountId, `negative-${run}`)),
        code("BILLING.INSUFFICIENT_FUNDS"),
      );
    });

    test("when the return page (three times) and the webhook (three times) arrive together, then the balance moves once", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp, token } = await approvedTopUp(accountId, "50.00");
      const returns = [1, 2, 3].map(() => services.payments.completeReturn(topUp.id, token));
      const resends = (async () => {
        while (
          !sandbox.events.some(
            (e) =>
              e.eventType === "PAYMENT.CAPTURE.COMPLETED" &&
              (e.body.resource as { custom_id?: string }).custom_id === topUp.id,
          )
        ) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        const event = captureEvent(topUp);
        sandbox.resend(event.id);
        sandbox.resend(event.id);
      })();
      const results = await Promise.allSettled([...returns, resends]);
      await sandbox.settled();
      assert.ok(
        results.slice(0, 3).some((r) => r.status === "fulfilled"),
        "the customer's return succeeds",
      );
      assert.equal(await balanceOf(accountId), USD(50));
      assert.equal((await topUpEntries(accountId)).length, 1);
      assert.equal((await services.payments.get(accountId, topUp.id)).status, "completed");
    });

    test("when the capture is pending, then it is recorded, and the webhook that completes it credits once, before the customer's next visit", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp, token } = await approvedTopUp(accountId, "8.00");
      sandbox.setNextCapture(topUp.orderId as string, { status: "PENDING" });
      const first = await services.payments.completeReturn(topUp.id, token);
      await sandbox.settled();
      assert.equal(first.value.status, "pending");
      assert.equal(await balanceOf(accountId), 0);
      sandbox.settlePending(first.value.captureId as string, "COMPLETED");
      await sandbox.settled();
      assert.equal(outcomesOf("PAYMENT.CAPTURE.COMPLETED").at(-1)?.outcome, "credited");
      assert.equal(await balanceOf(accountId), USD(8));
      const again = await services.payments.completeReturn(topUp.id, token);
      assert.equal(again.outcome, "already-credited");
      assert.equal(await balanceOf(accountId), USD(8));
    });

    test("when a capture is declined or a pending one denied, then it is recorded as denied and nothing is credited", async () => {
      const { services } = context();
      const accountId = await customer();
      const declined = await approvedTopUp(accountId, "9.00");
      sandbox.setNextCapture(declined.topUp.orderId as string, { status: "DECLINED" });
      assert.equal(
        (await services.payments.completeReturn(declined.topUp.id, declined.token)).value.status,
        "denied",
      );
      const pending = await approvedTopUp(accountId, "7.00");
      sandbox.setNextCapture(pending.topUp.orderId as string, { status: "PENDING" });
      const { value } = await services.payments.completeReturn(pending.topUp.id, pending.token);
      await sandbox.settled();
      sandbox.settlePending(value.captureId as string, "DECLINED");
      await sandbox.settled();
      assert.equal((await services.payments.get(accountId, pending.topUp.id)).status, "denied");
      assert.equal(await balanceOf(accountId), 0);
      const events = await services.payments.eventsOf(pending.topUp.id);
      assert.deepEqual(events.map((e) => e.eventType).sort(), [
        "PAYMENT.CAPTURE.DENIED",
        "PAYMENT.CAPTURE.PENDING",
      ]);
    });

    test("when the customer cancels at PayPal, then the top-up is cancelled and a later return captures nothing", async () => {
      const { services } = context();
      const accountId = await customer();
      const { topUp } = await services.payments.createTopUp(accountId, { amount: "6.00" });
      const cancelled = await services.payments.cancel(topUp.id, topUp.orderId as string);
      assert.equal(cancelled.status, "cancelled");
      const handled = await services.payments.completeReturn(topUp.id, topUp.orderId as string);
      assert.equal(handled.value.status, "cancelled");
      await assert.rejects(
        services.payments.completeReturn(topUp.id, "NOT-THE-ORDER"),
        code("PAYMENT.NOT_FOUND"),
      );
      assert.equal(await balanceOf(accountId), 0);
    });

    test("when an amount is outside the limits, malformed, or in another currency, then it is refused with a message that says why", async () => {
      const { services } = context();
      const accountId = await customer();
      const create = (amount: string, currency?: string) =>
        services.payments.createTopUp(accountId, { amount, currency });
      await assert.rejects(
        create("4.99"),
        (e: unknown) =>
          code("PAYMENT.BELOW_MINIMUM")(e) && /smallest top-up is 5\.00 USD/.test((e as Error).message),
      );
      await assert.rejects(
        create("100.01"),
        (e: unknown) =>
          code("PAYMENT.ABOVE_MAXIMUM")(e) &&
          /largest single top-up is 100\.00 USD/.test((e as Error).message),
      );
      await assert.rejects(create("10.001"), code("PAYMENT.INVALID_AMOUNT"));
      await assert.rejects(create("ten"), code("PAYMENT.INVALID_AMOUNT"));
      await assert.rejects(create("-10"), code("PAYMENT.INVALID_AMOUNT"));
      await assert.rejects(
        create("10.00", "EUR"),
        (e: unknown) =>
          code("PAYMENT.CURRENCY_NOT_ACCEPTED")(e) && /balance is in USD/.test((e as Error).message),
      );
      const euroAccount = await customer("EUR");
      const { topUp } = await services.payments.createTopUp(euroAccount, { amount: "10.00" });
      assert.equal(topUp.currency, "EUR");
      assert.equal(
        (await services.payments.list(accountId)).length,
        0,
        "refused top-ups leave nothing behind",
      );
    });

    test("when the day's top-ups reach the daily limit, then the next one is refused with what is left, and a cancelled one frees its share", async () => {
      const { services } = context();
      const accountId = await customer();
      const first = await services.payments.createTopUp(accountId, { amount: "100.00" });
      await services.payments.createTopUp(accountId, { amount: "45.00" });
      await assert.rejects(
        services.payments.createTopUp(accountId, { amount: "10.00" }),
        (e: unknown) =>
          code("PAYMENT.DAILY_LIMIT_REACHED")(e) && /at most 5\.00 USD more today/.test((e as Error).message),
      );
      assert.equal((await services.payments.settings(accountId)).remainingToday, USD(5));
      await services.payments.cancel(first.topUp.id, first.topUp.orderId as string);
      await services.payments.createTopUp(accountId, { amount: "100.00" });
      // Tomorrow (UTC) the limit starts again.
      context().clock.advance(24 * 3600);
      await services.payments.createTopUp(accountId, { amount: "100.00" });
    });

    test("when several top-ups start at once, then the daily limit still holds", async () => {
      const { services } = context();
      const accountId = await customer();
      const attempts = await Promise.allSettled(
        [1, 2, 3, 4].map(() => services.payments.createTopUp(accountId, { amount: "50.00" })),
      );
      assert.equal(attempts.filter((a) => a.status === "fulfilled").length, 3);
      assert.ok(
        attempts.some((a) => a.status === "rejected" && code("PAYMENT.DAILY_LIMIT_REACHED")(a.reason)),
      );
    });

    test("when many PayPal calls are made, then one OAuth2 token served them all", () => {
      // One for Zaqros's client, one for the merchant's own (the refund made "in PayPal's dashboard").
      assert.equal(sandbox.tokenRequests - tokensBefore, 2);
    });

    test("when the payments table is inspected, then it holds exactly the references, amount, currency, status and times, each declared in the inventory", async () => {
      const tables = await context().database.db.introspection.getTables();
      const columns = (name: string) =>
        tables
          .find((t) => t.name === name)
          ?.columns.map((c) => c.name)
          .sort();
      const expected = [
        "account_id",
        "amount",
        "capture_id",
        "completed_at",
        "created_at",
        "currency",
        "id",
        "order_id",
        "refunded_amount",
        "status",
        "updated_at",
      ];
      assert.deepEqual(columns("payments"), expected);
      assert.deepEqual(Object.keys(INVENTORY.payments?.columns ?? {}).sort(), expected);
      for (const declaration of Object.values(INVENTORY.payments?.columns ?? {})) {
        assert.equal(declaration.category, "payment");
        assert.equal(declaration.legalBasis, "legal-obligation");
        assert.equal(declaration.erasure.action, "keep");
      }
      assert.deepEqual(
        columns("payment_events"),
        Object.keys(INVENTORY.payment_events?.columns ?? {}).sort(),
      );
    });

    let callSerial = 0;
    function admission(accountId: string, label: string): Admission {
      const rate: CallRate = {
        planId: "test-plan",
        currency: "USD",
        prefix: "44",
        pricePerMinute: 60_000,
        connectFee: 0,
        initialIncrement: 1,
        subsequentIncrement: 1,
        minimumCharge: 0,
      };
      return {
        callId: `${label}-${++callSerial}@payments.test`,
        accountId,
        nodeId: "node-1",
        direction: "outbound",
        source: "+15555550100",
        destination: "+442079460958",
        rate,
      };
    }
  },
  { payments: paymentOptions },
);

forEachDialectWithServices("payments: not configured", (context) => {
  test("when no PayPal credentials are configured, then top-ups are refused as not configured and settings say so", async () => {
    const { services } = context();
    const account = await services.accounts.create({
      name: "No Pay",
      email: `nopay-${randomBytes(3).toString("hex")}@example.com`,
    });
    assert.equal(services.payments.configured, false);
    assert.equal((await services.payments.settings(account.id)).configured, false);
    await assert.rejects(
      services.payments.createTopUp(account.id, { amount: "10.00" }),
      (e: unknown) => code("PAYMENT.NOT_CONFIGURED")(e) && /not configured/.test((e as Error).message),
    );
    assert.deepEqual(await services.payments.list(account.id), []);
  });
});

test("when the cached token reaches its expiry, then the client asks PayPal for a new one", async () => {
  let clock = Date.now();
  const client = new PayPalClient({
    baseUrl: sandbox.url,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    webhookId,
    now: () => clock,
  });
  const before = sandbox.tokenRequests;
  await assert.rejects(client.getOrder("NO-SUCH-ORDER"), (e: Error) =>
    /404 RESOURCE_NOT_FOUND/.test(e.message),
  );
  await assert.rejects(client.getOrder("NO-SUCH-ORDER"));
  assert.equal(sandbox.tokenRequests - before, 1);
  clock += 32_400 * 1000;
  await assert.rejects(client.getOrder("NO-SUCH-ORDER"));
  assert.equal(sandbox.tokenRequests - before, 2);
  const wrong = new PayPalClient({
    baseUrl: sandbox.url,
    clientId: sandbox.clientId,
    clientSecret: "wrong",
    webhookId,
  });
  await assert.rejects(
    wrong.getOrder("X"),
    (e: unknown) =>
      e instanceof PayPalApiError && e.errorName === "invalid_client" && !e.message.includes("wrong"),
  );
});
