import { PAYMENT_STATUSES, type PaymentStatus } from "../../db/schema.ts";

export { PAYMENT_STATUSES, type PaymentStatus };

/**
 * A top-up's life. Only `completed` (and what follows it) has credited the balance; `flagged` is a
 * capture whose amount or currency differs from the order's, kept for staff and never credited.
 *
 * ```
 * created ──return/webhook: capture COMPLETED, amount = order──> completed ──refund──> partially_refunded
 *    │  │                                                          │   │                     │
 *    │  ├──capture PENDING──> pending ──COMPLETED──> (completed)   │   └──refund (all)──> refunded
 *    │  ├──capture DECLINED / DENIED──> denied                     └──reversal──> reversed
 *    │  └──capture COMPLETED, amount ≠ order──> flagged
 *    ├──customer cancels at PayPal──> cancelled
 *    └──PayPal refuses the order──> failed
 * ```
 */
export interface TopUp {
  id: string;
  accountId: string;
  /** PayPal's order id; null until PayPal answered. */
  orderId: string | null;
  /** PayPal's capture id (the transaction reference). */
  captureId: string | null;
  /** Micro-units. */
  amount: number;
  currency: string;
  status: PaymentStatus;
  /** Micro-units refunded or reversed (and debited) so far. */
  refundedAmount: number;
  createdAt: string;
  updatedAt: string;
  /** When the balance was credited. */
  completedAt: string | null;
}

/** The statuses in which the balance holds the top-up's credit (less refunds). */
export const CREDITED_STATUSES: ReadonlySet<PaymentStatus> = new Set([
  "completed",
  "partially_refunded",
  "refunded",
  "reversed",
]);

/** Limits on top-ups, in micro-units of the account's currency. */
export interface TopUpLimits {
  minimum: number;
  maximum: number;
  /** Most an account may top up per UTC day. */
  dailyCap: number;
}

/** What the portal shows before a top-up: whether it can happen and within which bounds. */
export interface TopUpSettings {
  configured: boolean;
  currency: string;
  minimum: number;
  maximum: number;
  dailyCap: number;
  /** How much more the account may top up today. */
  remainingToday: number;
}

/** An amount as PayPal writes it: a decimal string in the currency's minor units. */
export interface GatewayAmount {
  currency_code: string;
  value: string;
}

export type GatewayCaptureStatus =
  | "COMPLETED"
  | "PENDING"
  | "DECLINED"
  | "FAILED"
  | "PARTIALLY_REFUNDED"
  | "REFUNDED";

/** The parts of a PayPal capture Zaqros reads; never who paid. */
export interface GatewayCapture {
  id: string;
  status: GatewayCaptureStatus | string;
  amount: GatewayAmount | undefined;
  /** Our top-up id, when PayPal echoes it. */
  customId: string | undefined;
  orderId: string | undefined;
}

/** The parts of a PayPal order Zaqros reads. */
export interface GatewayOrder {
  id: string;
  /** CREATED, PAYER_ACTION_REQUIRED, APPROVED, COMPLETED, VOIDED... */
  status: string;
  amount: GatewayAmount | undefined;
  customId: string | undefined;
  /** The first capture of the first purchase unit, once captured. */
  capture: GatewayCapture | undefined;
}

export interface GatewayRefund {
  id: string;
  status: string;
  amount: GatewayAmount | undefined;
  /** The capture refunded, from the refund's `up` link. */
  captureId: string | undefined;
}

export interface CreateOrderRequest {
  /** Our top-up id: custom_id of the purchase unit and the idempotency key. */
  topUpId: string;
  amount: GatewayAmount;
  returnUrl: string;
  cancelUrl: string;
}

/** The headers PayPal signs a webhook delivery with. */
export interface WebhookTransmission {
  transmissionId: string | undefined;
  transmissionTime: string | undefined;
  transmissionSig: string | undefined;
  certUrl: string | undefined;
  authAlgo: string | undefined;
}

/**
 * The payment provider as the payments service sees it. The PayPal REST client implements it;
 * pointing that client at another base URL (the local sandbox) is the only difference in tests.
 */
export interface PaymentGateway {
  createOrder(request: CreateOrderRequest): Promise<{ orderId: string; approveUrl: string }>;
  getOrder(orderId: string): Promise<GatewayOrder>;
  /** Captures an approved order; `requestId` makes a retry return the first answer. */
  captureOrder(orderId: string, requestId: string): Promise<GatewayOrder>;
  refundCapture(
    captureId: string,
    amount: GatewayAmount | undefined,
    requestId: string,
  ): Promise<GatewayRefund>;
  /** Asks PayPal whether the delivery was signed by PayPal for our webhook; `rawBody` exactly as received. */
  verifyWebhook(transmission: WebhookTransmission, rawBody: string): Promise<boolean>;
}

/** What handling one webhook notification did. */
export type WebhookOutcome =
  | "credited"
  | "already-credited"
  | "flagged"
  | "recorded"
  | "debited"
  | "duplicate"
  | "ignored";

/** Receipts and other mail the payments domain sends, through the notify domain. */
export interface PaymentNotifier {
  sendTopUpReceipt(
    to: string,
    receipt: { amount: string; currency: string; reference: string; balance: string; at: string },
  ): Promise<void>;
}
