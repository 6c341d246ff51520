import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DIALECTS } from "../../../db/testing/dialects.ts";
import { freePort } from "../../../testing/free-port.ts";
import { runSipp } from "../../../testing/sipp.ts";
import {
  CARRIER_A_IP,
  PHONE_IP,
  startVoiceFixture,
  type VoiceFixture,
  ZAQROS_IP,
} from "../../../testing/voice-fixture.ts";

const DIALLED = "00442079460958";

/** Rate decks priced at 0.60 a minute to the UK, with a 0.05 connect fee, in three billing increments. */
const DECKS: Record<string, string> = {
  "uk-60-60":
    "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment\n44,0.60,0.05,60,60\n",
  "uk-30-6":
    "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment\n44,0.60,0.05,30,6\n",
  "uk-1-1": "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment\n44,0.60,0.05,1,1\n",
  "uk-1-1-free-connect":
    "prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment\n44,0.60,0,1,1\n",
};

/** The hand calculation: connect fee + billed seconds at 0.60/min (10,000 micro-units a second), rounded up. */
function expectedCost(plan: string, durationSeconds: number): { billed: number; cost: number } {
  const [initial, subsequent] = plan === "uk-60-60" ? [60, 60] : plan === "uk-30-6" ? [30, 6] : [1, 1];
  const connect = plan === "uk-1-1-free-connect" ? 0 : 50_000;
  if (durationSeconds === 0) return { billed: 0, cost: 0 };
  const billed =
    durationSeconds <= initial
      ? initial
      : initial + Math.ceil((durationSeconds - initial) / subsequent) * subsequent;
  return { billed, cost: connect + Math.ceil((billed * 600_000) / 60) };
}

for (const dialect of DIALECTS) {
  describe(`prepaid calls charged in real time [${dialect}]`, () => {
    let fx: VoiceFixture;
    let carrierPort: number;

    before(async () => {
      fx = await startVoiceFixture(dialect, {}, { billing: true });
      carrierPort = await freePort();
      const carrier = await fx.services.carriers.add({ name: "A", host: CARRIER_A_IP, port: carrierPort });
      await fx.services.carriers.importDeck(carrier.id, "prefix,cost_per_minute\n44,0.0100\n");
      for (const [plan, csv] of Object.entries(DECKS))
        await fx.services.rating.importDeck(plan, csv, { currency: "USD" });
    });
    after(() => fx.close());

    async function customer(plan: string, balance: string) {
      const account = await fx.services.accounts.create({
        name: plan,
        email: `${plan}-${Math.random().toString(36).slice(2)}@example.com`,
      });
      await fx.services.rating.assignPlan(account.id, plan);
      if (balance !== "0")
        await fx.services.ledger.credit(account.id, balance, {
          reason: "test top-up",
          actor: "test",
          kind: "topup",
        });
      const device = await fx.services.devices.provision(account.id);
      return { account, device };
    }

    async function call(
      device: { username: string; password: string },
      phoneScenario: string,
      carrierScenario: string,
      holdMs: number,
    ) {
      const carrier = runSipp({
        scenario: carrierScenario,
        localIp: CARRIER_A_IP,
        localPort: carrierPort,
        pauseMs: holdMs,
      });
      const phone = await runSipp({
        scenario: phoneScenario,
        remote: `${ZAQROS_IP}:${fx.sipPort}`,
        localIp: PHONE_IP,
        localPort: await freePort(),
        service: DIALLED,
        auth: device,
        pauseMs: holdMs,
        variables: { user: device.username },
        timeoutSeconds: 30,
      }).done;
      return { phone, carrier: await carrier.done };
    }

    for (const plan of ["uk-60-60", "uk-30-6", "uk-1-1"]) {
      test(`when a ${plan} customer talks for two seconds, then the CDR and the charge equal the hand calculation`, async () => {
        const { account, device } = await customer(plan, "10.00");
        const before = fx.records.length;
        const run = await call(device, "call-device.xml", "carrier-answer.xml", 2000);
        assert.equal(run.phone.code, 0, run.phone.stdout.slice(-1500));
        const record = (await fx.recordsAfter(before + 1)).at(-1)!;
        const cdr = await fx.services.cdrs.byCallId(record.id);
        assert.ok(cdr, "a CDR was written");
        assert.ok(cdr.durationSeconds >= 2 && cdr.durationSeconds <= 3, `talked ${cdr.durationSeconds}s`);
        const expected = expectedCost(plan, cdr.durationSeconds);
        assert.equal(cdr.billedSeconds, expected.billed);
        assert.equal(cdr.cost, expected.cost);
        assert.equal(cdr.destination, "+442079460958");
        assert.equal(cdr.hangupBy, "caller");
        assert.equal((await fx.services.ledger.balance(account.id)).balance, 10_000_000 - expected.cost);
      });
    }

    test("when the credit pays for seven seconds, then Zaqros sends BYE to both legs within a second of the seventh", async () => {
      const { account, device } = await customer("uk-1-1-free-connect", "0.07");
      const before = fx.records.length;
      const run = await call(device, "call-device-callee-hangs-up.xml", "carrier-answer.xml", 20_000);
      assert.equal(run.phone.code, 0, `the phone got Zaqros' BYE: ${run.phone.stdout.slice(-1500)}`);
      assert.equal(run.carrier.code, 0, `the carrier got Zaqros' BYE: ${run.carrier.stdout.slice(-1500)}`);
      const record = (await fx.recordsAfter(before + 1)).at(-1)!;
      assert.equal(record.hangupCause, "system-credit");
      const talk = record.endedAt.getTime() - record.answeredAt!.getTime();
      assert.ok(talk >= 7000 && talk < 8000, `cut after ${talk} ms`);
      const cdr = await fx.services.cdrs.byCallId(record.id);
      assert.equal(cdr?.billedSeconds, 7);
      assert.equal(cdr?.cost, 70_000);
      assert.equal((await fx.services.ledger.balance(account.id)).balance, 0);
    });

    test("when the balance is zero, then the call is refused with 402 and the attempt still leaves a CDR", async () => {
      const { account, device } = await customer("uk-1-1", "0");
      const phone = await runSipp({
        scenario: "call-device-expect-402.xml",
        remote: `${ZAQROS_IP}:${fx.sipPort}`,
        localIp: PHONE_IP,
        localPort: await freePort(),
        service: DIALLED,
        auth: device,
        variables: { user: device.username },
      }).done;
      assert.equal(phone.code, 0, phone.stdout.slice(-1500));
      const { items } = await fx.services.cdrs.list({
        from: new Date(Date.now() - 3600_000),
        to: new Date(Date.now() + 60_000),
        accountId: account.id,
      });
      assert.equal(items.length, 1);
      assert.equal(items[0]?.sipStatus, 402);
      assert.equal(items[0]?.cost, 0);
      assert.equal(items[0]?.destination, "+442079460958");
      assert.equal(items[0]?.hangupBy, "system-credit");
    });

    test("when ten calls start at once on a small balance, then together they never spend more than it plus one increment each", async () => {
      const { account, device } = await customer("uk-1-1-free-connect", "0.30");
      const before = fx.records.length;
      const carrier = runSipp({
        scenario: "carrier-answer.xml",
        localIp: CARRIER_A_IP,
        localPort: carrierPort,
        calls: 10,
        pauseMs: 4000,
        timeoutSeconds: 40,
      });
      await runSipp({
        scenario: "call-device.xml",
        remote: `${ZAQROS_IP}:${fx.sipPort}`,
        localIp: PHONE_IP,
        localPort: await freePort(),
        service: DIALLED,
        auth: device,
        calls: 10,
        rate: 10,
        limit: 10,
        pauseMs: 4000,
        variables: { user: device.username },
        timeoutSeconds: 40,
      }).done;
      carrier.kill();
      await fx.recordsAfter(before + 10, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      const balance = (await fx.services.ledger.balance(account.id)).balance;
      assert.ok(balance >= -10 * 10_000, `overspent to ${balance}`);
      const { items } = await fx.services.cdrs.list({
        from: new Date(Date.now() - 3600_000),
        to: new Date(Date.now() + 60_000),
        accountId: account.id,
      });
      const charged = items.reduce((sum, cdr) => sum + cdr.cost, 0);
      assert.equal(300_000 - charged, balance, "the balance moved by exactly what the CDRs charged");
      assert.ok(
        items.some((cdr) => cdr.cost > 0),
        "some calls were answered and charged",
      );
      assert.deepEqual((await fx.services.ledger.verifyBalances()).mismatches, []);
    });
  });
}
