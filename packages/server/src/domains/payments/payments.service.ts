import { randomUUID } from "node:crypto";
import type { Executor } from "../../db/write-transaction.ts";
import type { AccountsService } from "../accounts/accounts.service.ts";
import { DomainError } from "../domain-error.ts";
import type { LedgerService } from "../ledger/ledger.service.ts";
import { parseMicros } from "../money.ts";
import { formatAmount, isWholeMinorUnits, microsOf, toGatewayAmount } from "./gateway-amount.ts";
import type { PaymentErrorCode } from "./payments.errors.ts";
import type { PaymentsRepository } from "./payments.repository.ts";
import {
  CREDITED_STATUSES,
  type GatewayCapture,
  type GatewayOrder,
  type GatewayRefund,
  type PaymentGateway,
  type PaymentNotifier,
  type PaymentStatus,
  type TopUp,
  type TopUpLimits,
  type TopUpSettings,
  type WebhookOutcome,
  type WebhookTransmission,
} from "./payments.types.ts";
import { PayPalApiError, readCapture, readRefund } from "./paypal-client.ts";

/** Where PayPal sends the customer back after approving or cancelling; the HTTP edge serves both. */
export const PAYPAL_RETURN_PATH = "/payments/paypal/return";
export const PAYPAL_CANCEL_PATH = "/payments/paypal/cancel";

/** An unapproved order holds its share of the daily limit this long (PayPal's approval window). */
const APPROVAL_WINDOW_MS = 3 * 3600 * 1000;

export interface PaymentsServiceDeps {
  repository: PaymentsRepository;
  ledger: LedgerService;
  accounts: AccountsService;
  notifier: PaymentNotifier;
  /** PayPal; undefined when payments are not configured. */
  gateway: PaymentGateway | undefined;
  limits: TopUpLimits;
  /** This server's public address, without a trailing slash: PayPal returns the customer here. */
  publicUrl: string;
  now?: () => Date;
  newId?: () => string;
}

/** The result of a use case that may have left something for the operator to look at. */
export interface Handled<T> {
  value: T;
  outcome: WebhookOutcome;
  /** Something an operator should see in the log (a flagged capture, a receipt that failed). */
  warning?: string | undefined;
}

const fail = (code: PaymentErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainError(code, message, details);

const unavailable = (error: unknown) =>
  fail(
    "PAYMENT.PROVIDER_UNAVAILABLE",
    error instanceof PayPalApiError
      ? `PayPal did not complete the request (${error.errorName}${error.issue ? `/${error.issue}` : ""}); nothing was charged or credited. Try again in a moment.`
      : "PayPal could not be reached; nothing was charged or credited. Try again in a moment.",
    error instanceof PayPalApiError ? { debugId: error.debugId, status: error.status } : undefined,
  );

/**
 * Balance top-ups through PayPal (Orders v2). The balance moves only through the ledger, inside the
 * transaction that changes the top-up, and exactly once per capture and per refund: the top-up row
 * is locked while its capture is applied, PayPal's event id is the key of `payment_events`, and the
 * ledger refuses a second entry with the same reference. The return page and the webhook may come
 * in any order, together or repeatedly.
 */
export class PaymentsService {
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly deps: PaymentsServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  /** False when no PayPal credentials are configured: top-ups are refused with PAYMENT.NOT_CONFIGURED. */
  get configured(): boolean {
    return this.deps.gateway !== undefined;
  }

  async settings(accountId: string): Promise<TopUpSettings> {
    const account = await this.deps.accounts.get(accountId);
    const committed = await this.deps.repository.transaction((tx) => this.committedToday(accountId, tx));
    const { minimum, maximum, dailyCap } = this.deps.limits;
    return {
      configured: this.configured,
      currency: account.currency,
      minimum,
      maximum,
      dailyCap,
      remainingToday: Math.max(dailyCap - committed, 0),
    };
  }

  /**
   * Starts a top-up: checks the amount against the limits and the account's currency, records it,
   * and creates the PayPal order. The customer approves the payment at `approveUrl`.
   */
  async createTopUp(
    accountId: string,
    input: { amount: string; currency?: string | undefined },
  ): Promise<{ topUp: TopUp; approveUrl: string }> {
    const gateway = this.gateway();
    const account = await this.deps.accounts.get(accountId);
    const currency = (input.currency ?? account.currency).trim().toUpperCase();
    if (currency !== account.currency) {
      throw fail(
        "PAYMENT.CURRENCY_NOT_ACCEPTED",
        `Your balance is in ${account.currency}, so top-ups are in ${account.currency} only, not ${currency.slice(0, 10)}.`,
      );
    }
    const amount = parseMicros(input.amount);
    if (amount === undefined || amount <= 0 || !isWholeMinorUnits(amount, currency)) {
      throw fail(
        "PAYMENT.INVALID_AMOUNT",
        `Enter the amount as a number such as ${formatAmount(10_000_000, currency)} (whole ${currency} cents at most).`,
      );
    }
    const { minimum, maximum, dailyCap } = this.deps.limits;
    const show = (micros: number) => `${formatAmount(micros, currency)} ${currency}`;
    if (amount < minimum) {
      throw fail("PAYMENT.BELOW_MINIMUM", `The smallest top-up is ${show(minimum)}.`, { minimum });
    }
    if (amount > maximum) {
      throw fail("PAYMENT.ABOVE_MAXIMUM", `The largest single top-up is ${show(maximum)}.`, { maximum });
    }
    const at = this.now().toISOString();
    const topUp: TopUp = {
      id: this.newId(),
      accountId,
      orderId: null,
      captureId: null,
      amount,
      currency,
      status: "created",
      refundedAmount: 0,
      createdAt: at,
      updatedAt: at,
      completedAt: null,
    };
    await this.deps.repository.transaction(async (tx) => {
      // The balance lock serialises the account's top-ups, so two at once cannot both pass the cap.
      await this.deps.ledger.lockedBalances([accountId], tx);
      const committed = await this.committedToday(accountId, tx);
      if (committed + amount > dailyCap) {
        const left = Math.max(dailyCap - committed, 0);
        throw fail(
          "PAYMENT.DAILY_LIMIT_REACHED",
          left > 0
            ? `Top-ups are limited to ${show(dailyCap)} a day; you can top up at most ${show(left)} more today.`
            : `Top-ups are limited to ${show(dailyCap)} a day, and today's limit is reached; try again tomorrow (UTC).`,
          { dailyCap, remainingToday: left },
        );
      }
      await this.deps.repository.insert(topUp, tx);
    });
    try {
      const query = `?topup=${encodeURIComponent(topUp.id)}`;
      const order = await gateway.createOrder({
        topUpId: topUp.id,
        amount: toGatewayAmount(amount, currency),
        returnUrl: `${this.deps.publicUrl}${PAYPAL_RETURN_PATH}${query}`,
        cancelUrl: `${this.deps.publicUrl}${PAYPAL_CANCEL_PATH}${query}`,
      });
      const updatedAt = this.now().toISOString();
      await this.deps.repository.update(topUp.id, { order_id: order.orderId, updated_at: updatedAt });
      return { topUp: { ...topUp, orderId: order.orderId, updatedAt }, approveUrl: order.approveUrl };
    } catch (error) {
      await this.deps.repository.update(topUp.id, { status: "failed", updated_at: this.now().toISOString() });
      throw unavailable(error);
    }
  }

  /**
   * The customer is back from approving at PayPal: capture the order and credit the balance when
   * the capture is COMPLETED for the order's amount and currency. Safe to call again: a top-up
   * credited (by this or by the webhook) is returned as it is.
   */
  async completeReturn(topUpId: string, orderId: string): Promise<Handled<TopUp>> {
    const gateway = this.gateway();
    const topUp = await this.deps.repository.findById(topUpId);
    if (!topUp || topUp.orderId === null || topUp.orderId !== orderId) {
      throw fail("PAYMENT.NOT_FOUND", "No top-up matches this PayPal return link.");
    }
    if (topUp.status !== "created" && topUp.status !== "pending") {
      return { value: topUp, outcome: CREDITED_STATUSES.has(topUp.status) ? "already-credited" : "recorded" };
    }
    let order: GatewayOrder;
    try {
      order = await gateway.captureOrder(orderId, `capture-${topUpId}`);
    } catch (error) {
      if (error instanceof PayPalApiError && error.issue === "ORDER_ALREADY_CAPTURED") {
        order = await gateway.getOrder(orderId).catch((again) => {
          throw unavailable(again);
        });
      } else if (error instanceof PayPalApiError && error.issue === "ORDER_NOT_APPROVED") {
        throw fail("PAYMENT.NOT_APPROVED", "The payment was not approved at PayPal; nothing was charged.");
      } else {
        throw unavailable(error);
      }
    }
    if (!order.capture) {
      throw fail("PAYMENT.NOT_APPROVED", "PayPal has not captured the payment; nothing was charged.");
    }
    const handled = await this.applyCapture({ id: topUpId }, order.capture, undefined);
    return { ...handled, value: handled.value ?? topUp };
  }

  /** The customer cancelled at PayPal: an unpaid top-up is marked cancelled; anything else stays. */
  async cancel(topUpId: string, orderId: string): Promise<TopUp> {
    return this.deps.repository.transaction(async (tx) => {
      const topUp = await this.deps.repository.lock({ id: topUpId }, tx);
      if (!topUp || topUp.orderId !== orderId) {
        throw fail("PAYMENT.NOT_FOUND", "No top-up matches this PayPal cancel link.");
      }
      if (topUp.status !== "created") return topUp;
      const updatedAt = this.now().toISOString();
      await this.deps.repository.update(topUpId, { status: "cancelled", updated_at: updatedAt }, tx);
      return { ...topUp, status: "cancelled" as const, updatedAt };
    });
  }

  /**
   * A webhook delivery, its body exactly as received. Nothing is read from it or done with it
   * before PayPal confirms the signature (verify-webhook-signature); a delivery that fails is
   * refused with PAYMENT.WEBHOOK_REJECTED. An event handled before is acknowledged and ignored.
   */
  async handleWebhook(
    transmission: WebhookTransmission,
    rawBody: string,
  ): Promise<Handled<{ eventId: string; eventType: string }>> {
    const gateway = this.gateway();
    let event: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(rawBody);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      event = parsed as Record<string, unknown>;
    } catch {
      throw fail("PAYMENT.WEBHOOK_REJECTED", "The notification is not a JSON object.");
    }
    let verified: boolean;
    try {
      verified = await gateway.verifyWebhook(transmission, rawBody);
    } catch (error) {
      throw unavailable(error);
    }
    if (!verified) {
      throw fail("PAYMENT.WEBHOOK_REJECTED", "The notification's signature did not verify with PayPal.");
    }
    const eventId = typeof event.id === "string" ? event.id : undefined;
    const eventType = typeof event.event_type === "string" ? event.event_type : undefined;
    if (!eventId || !eventType || eventId.length > 200) {
      throw fail("PAYMENT.WEBHOOK_REJECTED", "The notification has no event id or type.");
    }
    const meta = { eventId, eventType };
    const capture = readCapture(event.resource);
    const refund = readRefund(event.resource);
    let handled: Handled<TopUp | undefined>;
    switch (eventType) {
      case "PAYMENT.CAPTURE.COMPLETED":
      case "PAYMENT.CAPTURE.PENDING":
      case "PAYMENT.CAPTURE.DENIED":
      case "PAYMENT.CAPTURE.DECLINED": {
        if (!capture) throw fail("PAYMENT.WEBHOOK_REJECTED", "The notification carries no capture.");
        const status = eventType === "PAYMENT.CAPTURE.COMPLETED" ? capture.status : eventType.slice(16);
        handled = await this.applyCapture(
          { id: capture.customId, orderId: capture.orderId, captureId: capture.id },
          { ...capture, status: status === "DENIED" ? "DECLINED" : status },
          meta,
        );
        break;
      }
      case "PAYMENT.CAPTURE.REFUNDED":
      case "PAYMENT.CAPTURE.REVERSED":
        if (!refund) throw fail("PAYMENT.WEBHOOK_REJECTED", "The notification carries no refund.");
        handled = await this.applyRefund(
          refund,
          eventType === "PAYMENT.CAPTURE.REVERSED" ? "reversal" : "refund",
          meta,
        );
        break;
      default:
        handled = await this.recordOnly(meta);
    }
    return { value: meta, outcome: handled.outcome, warning: handled.warning };
  }

  /**
   * Staff: refunds a credited top-up (all that is left, or `amount`) through PayPal and debits the
   * balance at once; PayPal's later PAYMENT.CAPTURE.REFUNDED for the same refund changes nothing.
   */
  async refund(topUpId: string, amount?: string): Promise<TopUp> {
    const gateway = this.gateway();
    const topUp = await this.deps.repository.findById(topUpId);
    if (!topUp) throw fail("PAYMENT.NOT_FOUND", "No top-up has that id.");
    if (topUp.status !== "completed" && topUp.status !== "partially_refunded") {
      throw fail("PAYMENT.WRONG_STATE", `A ${topUp.status} top-up cannot be refunded.`);
    }
    const left = topUp.amount - topUp.refundedAmount;
    const micros = amount === undefined ? left : parseMicros(amount);
    if (micros === undefined || micros <= 0 || micros > left || !isWholeMinorUnits(micros, topUp.currency)) {
      throw fail(
        "PAYMENT.INVALID_REFUND",
        `A refund is a positive amount of at most ${formatAmount(left, topUp.currency)} ${topUp.currency}.`,
      );
    }
    let refund: GatewayRefund;
    try {
      refund = await gateway.refundCapture(
        topUp.captureId as string,
        toGatewayAmount(micros, topUp.currency),
        `refund-${topUp.id}-${topUp.refundedAmount}-${micros}`,
      );
    } catch (error) {
      throw unavailable(error);
    }
    await this.applyRefund({ ...refund, captureId: topUp.captureId ?? undefined }, "refund", undefined);
    return (await this.deps.repository.findById(topUpId)) as TopUp;
  }

  async get(accountId: string, topUpId: string): Promise<TopUp> {
    const topUp = await this.deps.repository.findById(topUpId);
    if (!topUp || topUp.accountId !== accountId) throw fail("PAYMENT.NOT_FOUND", "No such top-up.");
    return topUp;
  }

  /** The account's top-ups, newest first. */
  list(accountId: string, limit = 50): Promise<TopUp[]> {
    return this.deps.repository.listOfAccount(accountId, Math.min(Math.max(limit, 1), 200));
  }

  /** Staff: top-ups in one status, newest first; `flagged` lists captures that need a person. */
  listByStatus(status: PaymentStatus, limit = 100): Promise<TopUp[]> {
    return this.deps.repository.listByStatus(status, Math.min(Math.max(limit, 1), 1000));
  }

  eventsOf(topUpId: string) {
    return this.deps.repository.eventsOf(topUpId);
  }

  private gateway(): PaymentGateway {
    if (!this.deps.gateway) {
      throw fail(
        "PAYMENT.NOT_CONFIGURED",
        "Payments are not configured on this server, so the balance cannot be topped up here yet.",
      );
    }
    return this.deps.gateway;
  }

  private committedToday(accountId: string, tx: Executor): Promise<number> {
    const now = this.now();
    const dayStart = `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
    const openSince = new Date(now.getTime() - APPROVAL_WINDOW_MS).toISOString();
    return this.deps.repository.committedSince(accountId, dayStart, openSince, tx);
  }

  /** Records an event that moves no money, once. */
  private async recordOnly(event: { eventId: string; eventType: string }): Promise<Handled<undefined>> {
    const fresh = await this.deps.repository.transaction((tx) =>
      this.deps.repository.insertEvent(
        {
          eventId: event.eventId,
          paymentId: null,
          accountId: null,
          eventType: event.eventType,
          resourceId: null,
          outcome: "ignored",
          receivedAt: this.now().toISOString(),
        },
        tx,
      ),
    );
    return { value: undefined, outcome: fresh ? "ignored" : "duplicate" };
  }

  /**
   * Applies what PayPal says of a capture to its top-up, in one transaction with the top-up locked:
   * COMPLETED for the order's amount and currency credits (once); COMPLETED for anything else flags
   * the top-up for staff and credits nothing; PENDING and DECLINED are recorded.
   */
  private async applyCapture(
    lookup: { id?: string | undefined; orderId?: string | undefined; captureId?: string | undefined },
    capture: GatewayCapture,
    event: { eventId: string; eventType: string } | undefined,
  ): Promise<Handled<TopUp | undefined>> {
    const at = this.now().toISOString();
    const result = await this.deps.repository.transaction(async (tx) => {
      if (event && !(await this.deps.repository.insertEvent(newEvent(event, capture.id, at), tx))) {
        return { value: undefined, outcome: "duplicate" as const };
      }
      const topUp = await this.deps.repository.lock(lookup, tx);
      const outcome = await this.captureOutcome(topUp, capture, at, tx);
      if (event) {
        await this.deps.repository.setEventOutcome(
          event.eventId,
          { paymentId: topUp?.id ?? null, accountId: topUp?.accountId ?? null, outcome: outcome.outcome },
          tx,
        );
      }
      return outcome;
    });
    if (result.outcome !== "credited" || !result.value) return result;
    const warning = await this.sendReceipt(result.value, result.balance).catch(
      (error: Error) => `The receipt for top-up ${result.value?.id} could not be sent: ${error.message}`,
    );
    return { value: result.value, outcome: result.outcome, warning };
  }

  private async captureOutcome(
    topUp: TopUp | undefined,
    capture: GatewayCapture,
    at: string,
    tx: Executor,
  ): Promise<Handled<TopUp | undefined> & { balance?: number }> {
    if (!topUp || (capture.orderId && topUp.orderId && capture.orderId !== topUp.orderId)) {
      return { value: topUp, outcome: "ignored" };
    }
    const open = topUp.status === "created" || topUp.status === "pending";
    if (capture.status === "COMPLETED") {
      if (!open) {
        return {
          value: topUp,
          outcome: CREDITED_STATUSES.has(topUp.status) ? "already-credited" : "recorded",
        };
      }
      const paid = microsOf(capture.amount);
      if (paid !== topUp.amount || capture.amount?.currency_code !== topUp.currency) {
        await this.deps.repository.update(
          topUp.id,
          { status: "flagged", capture_id: capture.id, updated_at: at },
          tx,
        );
        return {
          value: { ...topUp, status: "flagged", captureId: capture.id, updatedAt: at },
          outcome: "flagged",
          warning: `Top-up ${topUp.id} flagged for staff: PayPal captured ${capture.amount?.value ?? "?"} ${capture.amount?.currency_code ?? "?"} (capture ${capture.id}) for an order of ${formatAmount(topUp.amount, topUp.currency)} ${topUp.currency}; nothing was credited.`,
        };
      }
      const posted = await this.deps.ledger.post(
        {
          accountId: topUp.accountId,
          kind: "topup",
          amount: topUp.amount,
          currency: topUp.currency,
          reason: "PayPal top-up",
          actor: "paypal",
          reference: `paypal:capture:${capture.id}`,
        },
        tx,
      );
      await this.deps.repository.update(
        topUp.id,
        { status: "completed", capture_id: capture.id, completed_at: at, updated_at: at },
        tx,
      );
      const value = {
        ...topUp,
        status: "completed" as const,
        captureId: capture.id,
        completedAt: at,
        updatedAt: at,
      };
      return posted.duplicate
        ? { value, outcome: "already-credited" }
        : { value, outcome: "credited", balance: posted.entry.balanceAfter };
    }
    if (!open) return { value: topUp, outcome: "recorded" };
    const status: PaymentStatus | undefined =
      capture.status === "PENDING"
        ? "pending"
        : capture.status === "DECLINED" || capture.status === "FAILED"
          ? "denied"
          : undefined;
    if (status) {
      await this.deps.repository.update(topUp.id, { status, capture_id: capture.id, updated_at: at }, tx);
      return { value: { ...topUp, status, captureId: capture.id, updatedAt: at }, outcome: "recorded" };
    }
    return { value: topUp, outcome: "recorded" };
  }

  /**
   * Applies a completed refund or reversal: debits the balance by its amount (once: the ledger's
   * reference is PayPal's refund id) when the top-up had been credited, and records it either way.
   */
  private async applyRefund(
    refund: GatewayRefund,
    kind: "refund" | "reversal",
    event: { eventId: string; eventType: string } | undefined,
  ): Promise<Handled<TopUp | undefined>> {
    const at = this.now().toISOString();
    return this.deps.repository.transaction(async (tx) => {
      if (event && !(await this.deps.repository.insertEvent(newEvent(event, refund.id, at), tx))) {
        return { value: undefined, outcome: "duplicate" as const };
      }
      const topUp = await this.deps.repository.lock({ captureId: refund.captureId }, tx);
      const outcome = await this.refundOutcome(topUp, refund, kind, at, tx);
      if (event) {
        await this.deps.repository.setEventOutcome(
          event.eventId,
          { paymentId: topUp?.id ?? null, accountId: topUp?.accountId ?? null, outcome: outcome.outcome },
          tx,
        );
      }
      return outcome;
    });
  }

  private async refundOutcome(
    topUp: TopUp | undefined,
    refund: GatewayRefund,
    kind: "refund" | "reversal",
    at: string,
    tx: Executor,
  ): Promise<Handled<TopUp | undefined>> {
    if (!topUp) return { value: undefined, outcome: "ignored" };
    if (refund.status !== "COMPLETED") return { value: topUp, outcome: "recorded" };
    const micros = microsOf(refund.amount);
    if (micros === undefined || micros <= 0 || refund.amount?.currency_code !== topUp.currency) {
      return {
        value: topUp,
        outcome: "ignored",
        warning: `PayPal ${kind} ${refund.id} of top-up ${topUp.id} is for ${refund.amount?.value ?? "?"} ${refund.amount?.currency_code ?? "?"}, which Zaqros cannot apply; nothing was debited.`,
      };
    }
    if (topUp.completedAt === null) {
      // Never credited (flagged, pending): the payer gets the money back and the balance never had it.
      const status = kind === "reversal" ? "reversed" : "refunded";
      await this.deps.repository.update(topUp.id, { status, updated_at: at }, tx);
      return { value: { ...topUp, status, updatedAt: at }, outcome: "recorded" };
    }
    const posted = await this.deps.ledger.post(
      {
        accountId: topUp.accountId,
        kind: kind === "reversal" ? "reversal" : "refund",
        amount: -micros,
        currency: topUp.currency,
        reason: kind === "reversal" ? "PayPal reversed the top-up payment" : "PayPal top-up refunded",
        actor: "paypal",
        reference: `paypal:${kind}:${refund.id}`,
      },
      tx,
    );
    if (posted.duplicate) return { value: topUp, outcome: "duplicate" };
    const refundedAmount = topUp.refundedAmount + micros;
    const status: PaymentStatus =
      kind === "reversal" ? "reversed" : refundedAmount >= topUp.amount ? "refunded" : "partially_refunded";
    await this.deps.repository.update(
      topUp.id,
      { status, refunded_amount: refundedAmount, updated_at: at },
      tx,
    );
    return { value: { ...topUp, status, refundedAmount, updatedAt: at }, outcome: "debited" };
  }

  private async sendReceipt(topUp: TopUp, balance: number | undefined): Promise<undefined> {
    const account = await this.deps.accounts.get(topUp.accountId);
    await this.deps.notifier.sendTopUpReceipt(account.email, {
      amount: formatAmount(topUp.amount, topUp.currency),
      currency: topUp.currency,
      reference: topUp.captureId ?? topUp.id,
      balance: balance === undefined ? "" : formatSigned(balance, topUp.currency),
      at: topUp.completedAt ?? topUp.updatedAt,
    });
    return undefined;
  }
}

function newEvent(event: { eventId: string; eventType: string }, resourceId: string, at: string) {
  return {
    eventId: event.eventId,
    paymentId: null,
    accountId: null,
    eventType: event.eventType,
    resourceId,
    outcome: "received",
    receivedAt: at,
  };
}

function formatSigned(micros: number, currency: string): string {
  return micros < 0 ? `-${formatAmount(-micros, currency)}` : formatAmount(micros, currency);
}
