import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { approvalPage, page, SANDBOX_CSS } from "./approval-page.ts";
import { AUTH_ALGO, type SigningKey, sign, signedText, signingKey, verify } from "./webhook-signature.ts";

/**
 * A local stand-in for the parts of PayPal's REST API Zaqros uses, following PayPal's documented
 * request and response shapes and status codes:
 *
 * - `POST /v1/oauth2/token` (client credentials, Basic auth)
 * - `POST /v2/checkout/orders`, `GET /v2/checkout/orders/{id}`, `POST /v2/checkout/orders/{id}/capture`
 * - `GET /v2/payments/captures/{id}`, `POST /v2/payments/captures/{id}/refund`
 * - `POST /v1/notifications/webhooks`, `GET /v1/notifications/webhooks`,
 *   `GET /v1/notifications/webhooks-events[/{id}]`, `POST /v1/notifications/webhooks-events/{id}/resend`
 * - `POST /v1/notifications/verify-webhook-signature`, `GET /v1/notifications/certs/{id}`
 * - `GET /checkoutnow?token=` the approval page, with Approve and Cancel buttons
 *
 * Webhook deliveries carry PAYPAL-TRANSMISSION-ID/-TIME/-SIG, PAYPAL-CERT-URL and PAYPAL-AUTH-ALGO;
 * the signature is RSA-SHA256 over `<transmission id>|<time>|<webhook id>|<crc32 of the body>` with
 * a key whose certificate is served at the cert URL, and verify-webhook-signature checks it.
 *
 * Test controls that PayPal does not have live under `/sandbox/` (and as methods): what the next
 * capture of an order answers, completing or denying a pending capture, reversing a capture,
 * holding webhook deliveries and releasing them.
 */

type Json = Record<string, unknown>;

interface Amount {
  currency_code: string;
  value: string;
}

interface Order {
  id: string;
  intent: string;
  status: "CREATED" | "PAYER_ACTION_REQUIRED" | "APPROVED" | "COMPLETED" | "VOIDED";
  unit: { reference_id: string; custom_id?: string; description?: string; amount: Amount };
  returnUrl: string | undefined;
  cancelUrl: string | undefined;
  viaPaymentSource: boolean;
  payerId: string | undefined;
  captureId: string | undefined;
  createTime: string;
  updateTime: string;
}

interface Capture {
  id: string;
  orderId: string;
  status: string;
  amount: Amount;
  customId: string | undefined;
  refundedMicros: number;
  createTime: string;
  updateTime: string;
}

interface Refund {
  id: string;
  captureId: string;
  status: string;
  amount: Amount;
  createTime: string;
}

export interface SandboxWebhook {
  id: string;
  url: string;
  eventTypes: string[];
}

export interface SandboxEvent {
  id: string;
  eventType: string;
  body: Json;
  deliveries: Array<{ transmissionId: string; webhookId: string; status: number | "error"; at: string }>;
}

export interface PayPalSandboxOptions {
  clientId?: string;
  clientSecret?: string;
  /** Seconds an access token lives (PayPal: about nine hours). */
  tokenLifetimeSeconds?: number;
  /** A webhook registered at start, as if made in PayPal's developer dashboard. */
  webhookUrl?: string;
}

/** A capture outcome for the next capture of an order, to rehearse what PayPal may answer. */
export interface NextCapture {
  status?: "COMPLETED" | "PENDING" | "DECLINED";
  amount?: Amount;
}

const SUPPORTED_CURRENCIES = new Set([
  "AUD",
  "BRL",
  "CAD",
  "CNY",
  "CZK",
  "DKK",
  "EUR",
  "HKD",
  "HUF",
  "ILS",
  "JPY",
  "MYR",
  "MXN",
  "TWD",
  "NZD",
  "NOK",
  "PHP",
  "PLN",
  "GBP",
  "SGD",
  "SEK",
  "CHF",
  "THB",
  "USD",
]);
const WHOLE_UNIT_CURRENCIES = new Set(["HUF", "JPY", "TWD"]);

/** PayPal-style ids: 17 upper-case letters and digits. */
function paypalId(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return [...randomBytes(17)].map((b) => alphabet[b % alphabet.length]).join("");
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

/** A decimal PayPal amount as integer micro-units; undefined when malformed. */
function micros(value: string): number | undefined {
  const match = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? "").padEnd(6, "0"));
}

function decimal(microUnits: number, currency: string): string {
  const whole = Math.floor(microUnits / 1_000_000);
  if (WHOLE_UNIT_CURRENCIES.has(currency)) return String(whole);
  return `${whole}.${String(Math.floor((microUnits % 1_000_000) / 10_000)).padStart(2, "0")}`;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
    readonly details: Array<{
      field?: string;
      value?: string;
      location?: string;
      issue: string;
      description: string;
    }> = [],
  ) {
    super(message);
  }
}

const notFound = (field: string, value: string) =>
  new ApiError(404, "RESOURCE_NOT_FOUND", "The specified resource does not exist.", [
    {
      field,
      value,
      location: "path",
      issue: "INVALID_RESOURCE_ID",
      description: "Specified resource ID does not exist. Please check the resource ID and try again.",
    },
  ]);

const unprocessable = (issue: string, description: string) =>
  new ApiError(
    422,
    "UNPROCESSABLE_ENTITY",
    "The requested action could not be performed, semantically incorrect, or failed business validation.",
    [{ issue, description }],
  );

const invalidRequest = (field: string, issue: string, description: string) =>
  new ApiError(
    400,
    "INVALID_REQUEST",
    "Request is not well-formed, syntactically incorrect, or violates schema.",
    [{ field, location: "body", issue, description }],
  );

export class PayPalSandbox {
  readonly clientId: string;
  readonly clientSecret: string;
  private readonly tokenLifetimeSeconds: number;
  private server: Server | undefined;
  private base = "";
  private key: SigningKey | undefined;
  private readonly certId = `CERT-${randomBytes(12).toString("hex")}`;
  private readonly tokens = new Map<string, number>();
  private readonly orders = new Map<string, Order>();
  private readonly captures = new Map<string, Capture>();
  private readonly refunds = new Map<string, Refund>();
  private readonly nextCaptures = new Map<string, NextCapture>();
  private readonly idempotent = new Map<string, { status: number; body: Json }>();
  readonly webhooks: SandboxWebhook[] = [];
  readonly events: SandboxEvent[] = [];
  private held: Array<() => Promise<void>> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** How many tokens were handed out: a client that caches asks once. */
  tokenRequests = 0;

  constructor(private readonly options: PayPalSandboxOptions = {}) {
    this.clientId = options.clientId ?? `sandbox-${randomBytes(8).toString("hex")}`;
    this.clientSecret = options.clientSecret ?? randomBytes(24).toString("base64url");
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 32_400;
  }

  /** The base URL to configure as ZAQROS_PAYPAL_API_URL. */
  get url(): string {
    return this.base;
  }

  get certUrl(): string {
    return `${this.base}/v1/notifications/certs/${this.certId}`;
  }

  async start(port = 0, host = "127.0.0.1"): Promise<string> {
    this.key = await signingKey();
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: Error) => {
        if (!response.headersSent)
          this.json(response, 500, { name: "INTERNAL_SERVER_ERROR", message: error.message });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    this.base = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
    if (this.options.webhookUrl) this.registerWebhook(this.options.webhookUrl, ["*"]);
    return this.base;
  }

  async stop(): Promise<void> {
    await this.settled();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  registerWebhook(url: string, eventTypes: string[] = ["*"]): SandboxWebhook {
    const webhook = { id: paypalId(), url, eventTypes };
    this.webhooks.push(webhook);
    return webhook;
  }

  /** Makes the next capture of the order answer this (a different amount, PENDING, DECLINED). */
  setNextCapture(orderId: string, next: NextCapture): void {
    this.nextCaptures.set(orderId, next);
  }

  /** Webhook deliveries wait until {@link releaseWebhooks}. */
  holdWebhooks(): void {
    this.held ??= [];
  }

  /** Sends the held deliveries, all at once, and waits for them. */
  async releaseWebhooks(): Promise<void> {
    const held = this.held ?? [];
    this.held = undefined;
    await Promise.all(held.map((send) => this.track(send())));
  }

  /** Resolves when every delivery under way has been answered. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** The approval a payer gives on the approval page; answers where PayPal sends the browser. */
  approve(orderId: string): string {
    const order = this.order(orderId);
    if (order.status !== "CREATED" && order.status !== "PAYER_ACTION_REQUIRED") {
      throw unprocessable("ORDER_ALREADY_APPROVED", "The order has been approved already.");
    }
    order.status = "APPROVED";
    order.payerId = paypalId().slice(0, 13);
    order.updateTime = now();
    this.emit(
      "CHECKOUT.ORDER.APPROVED",
      "checkout-order",
      this.orderJson(order, true),
      "An order has been approved by buyer",
    );
    return withQuery(order.returnUrl ?? `${this.base}/`, { token: order.id, PayerID: order.payerId });
  }

  cancelAt(orderId: string): string {
    const order = this.order(orderId);
    return withQuery(order.cancelUrl ?? `${this.base}/`, { token: order.id });
  }

  /** A pending capture clears (PAYMENT.CAPTURE.COMPLETED) or is denied (PAYMENT.CAPTURE.DENIED). */
  settlePending(captureId: string, outcome: "COMPLETED" | "DECLINED"): void {
    const capture = this.captures.get(captureId);
    if (!capture) throw notFound("capture_id", captureId);
    if (capture.status !== "PENDING")
      throw unprocessable("CAPTURE_NOT_PENDING", "The capture is not pending.");
    capture.status = outcome;
    capture.updateTime = now();
    this.emitCapture(
      capture,
      outcome === "COMPLETED" ? "PAYMENT.CAPTURE.COMPLETED" : "PAYMENT.CAPTURE.DENIED",
    );
  }

  /** PayPal takes the money back (a chargeback): PAYMENT.CAPTURE.REVERSED. */
  reverse(captureId: string): Refund {
    const capture = this.captures.get(captureId);
    if (!capture) throw notFound("capture_id", captureId);
    const left = (micros(capture.amount.value) ?? 0) - capture.refundedMicros;
    const reversal: Refund = {
      id: paypalId(),
      captureId,
      status: "COMPLETED",
      amount: {
        currency_code: capture.amount.currency_code,
        value: decimal(left, capture.amount.currency_code),
      },
      createTime: now(),
    };
    this.refunds.set(reversal.id, reversal);
    capture.refundedMicros += left;
    capture.status = "REVERSED";
    this.emit(
      "PAYMENT.CAPTURE.REVERSED",
      "refund",
      this.refundJson(reversal),
      `A $ ${reversal.amount.value} ${reversal.amount.currency_code} capture payment was reversed`,
    );
    return reversal;
  }

  /** Delivers an event again with a new transmission (as `.../webhooks-events/{id}/resend`). */
  resend(eventId: string): SandboxEvent {
    const event = this.events.find((e) => e.id === eventId);
    if (!event) throw notFound("event_id", eventId);
    this.deliverToAll(event);
    return event;
  }

  /**
   * The headers and body of a delivery of `event` to `webhookId`, signed as PayPal signs them;
   * tests tamper with these to make forged deliveries.
   */
  signedDelivery(body: string, webhookId: string): { headers: Record<string, string>; body: string } {
    const transmissionId = randomUUID();
    const transmissionTime = now();
    return {
      body,
      headers: {
        "content-type": "application/json",
        "user-agent": "PayPal/AUHD-214.0-58843607",
        "paypal-transmission-id": transmissionId,
        "paypal-transmission-time": transmissionTime,
        "paypal-transmission-sig": sign(
          this.signingKey(),
          signedText(transmissionId, transmissionTime, webhookId, body),
        ),
        "paypal-cert-url": this.certUrl,
        "paypal-auth-algo": AUTH_ALGO,
      },
    };
  }

  private signingKey(): SigningKey {
    if (!this.key) throw new Error("the sandbox is not started");
    return this.key;
  }

  private order(orderId: string): Order {
    const order = this.orders.get(orderId);
    if (!order) throw notFound("order_id", orderId);
    return order;
  }

  // ---- HTTP ----

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.base);
    const path = url.pathname;
    const method = request.method ?? "GET";
    const text = await readBody(request);
    response.setHeader("paypal-debug-id", randomBytes(7).toString("hex"));
    try {
      if (method === "GET" && path === "/sandbox.css") {
        response.writeHead(200, { "content-type": "text/css; charset=utf-8" }).end(SANDBOX_CSS);
        return;
      }
      if (path === "/checkoutnow" || path.startsWith("/checkoutnow/"))
        return this.checkout(method, path, url, text, response);
      if (method === "POST" && path === "/v1/oauth2/token") return this.token(request, text, response);
      if (path.startsWith("/v1/notifications/certs/") && method === "GET") {
        if (path.slice(24) !== this.certId) throw notFound("cert_id", path.slice(24));
        response
          .writeHead(200, { "content-type": "application/x-pem-file" })
          .end(this.signingKey().certificate);
        return;
      }
      if (path.startsWith("/v1/") || path.startsWith("/v2/")) {
        if (!this.authorised(request)) {
          this.json(response, 401, {
            name: "AUTHENTICATION_FAILURE",
            message:
              "Authentication failed due to invalid authentication credentials or a missing Authorization header.",
            links: [
              { href: "https://developer.paypal.com/docs/api/overview/#error", rel: "information_link" },
            ],
          });
          return;
        }
        return this.api(method, path, request, text, response);
      }
      if (path.startsWith("/sandbox/") && method === "POST") return this.control(path, text, response);
      throw notFound("path", path);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.json(response, error.status, {
        name: error.errorName,
        message: error.message,
        debug_id: response.getHeader("paypal-debug-id"),
        ...(error.details.length ? { details: error.details } : {}),
        links: error.details.map((d) => ({
          href: `https://developer.paypal.com/docs/api/orders/v2/#error-${d.issue}`,
          rel: "information_link",
          method: "GET",
        })),
      });
    }
  }

  private checkout(method: string, path: string, url: URL, text: string, response: ServerResponse): void {
    const csp =
      "default-src 'none'; style-src 'self'; form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'";
    if (method === "GET" && path === "/checkoutnow") {
      const order = this.orders.get(url.searchParams.get("token") ?? "");
      const html = order
        ? approvalPage({
            id: order.id,
            status: order.status,
            amount: order.unit.amount.value,
            currency: order.unit.amount.currency_code,
            description: order.unit.description ?? "Payment",
          })
        : page("PayPal sandbox", "<h1>PayPal sandbox</h1><p>No such order.</p>");
      response.writeHead(order ? 200 : 404, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": csp,
      });
      response.end(html);
      return;
    }
    if (method === "POST" && (path === "/checkoutnow/approve" || path === "/checkoutnow/cancel")) {
      const token = new URLSearchParams(text).get("token") ?? "";
      const location = path.endsWith("approve") ? this.approve(token) : this.cancelAt(token);
      response.writeHead(303, { location }).end();
      return;
    }
    throw notFound("path", path);
  }

  private token(request: IncomingMessage, text: string, response: ServerResponse): void {
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString("base64")}`;
    if (request.headers.authorization !== expected) {
      this.json(response, 401, {
        error: "invalid_client",
        error_description: "Client Authentication failed",
      });
      return;
    }
    if (new URLSearchParams(text).get("grant_type") !== "client_credentials") {
      this.json(response, 400, { error: "unsupported_grant_type", error_description: "Grant Type is NULL" });
      return;
    }
    const token = `A21AA${randomBytes(32).toString("base64url")}`;
    this.tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1000);
    this.tokenRequests++;
    this.json(response, 200, {
      scope:
        "https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund https://uri.paypal.com/services/applications/webhooks",
      access_token: token,
      token_type: "Bearer",
      app_id: "APP-80W284485P519543T",
      expires_in: this.tokenLifetimeSeconds,
      nonce: `${now()}${randomBytes(8).toString("hex")}`,
    });
  }

  private authorised(request: IncomingMessage): boolean {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "");
    const expiresAt = match?.[1] ? this.tokens.get(match[1]) : undefined;
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  private api(
    method: string,
    path: string,
    request: IncomingMessage,
    text: string,
    response: ServerResponse,
  ): void {
    const requestId = request.headers["paypal-request-id"];
    const key = typeof requestId === "string" && method === "POST" ? `${path}|${requestId}` : undefined;
    const replay = key ? this.idempotent.get(key) : undefined;
    if (replay) {
      // PayPal-Request-Id seen before: the first answer again, as 200.
      this.json(response, 200, replay.body);
      return;
    }
    const body = method === "POST" ? parseJson(text) : {};
    const answer = this.route(method, path, body, request);
    if (key && answer.status < 300) this.idempotent.set(key, answer);
    this.json(response, answer.status, answer.body);
  }

  private route(
    method: string,
    path: string,
    body: Json,
    request: IncomingMessage,
  ): { status: number; body: Json } {
    let match: RegExpExecArray | null;
    if (method === "POST" && path === "/v2/checkout/orders")
      return { status: 201, body: this.createOrder(body) };
    match = /^\/v2\/checkout\/orders\/([^/]+)$/.exec(path);
    if (match && method === "GET") {
      return { status: 200, body: this.orderJson(this.order(decodeURIComponent(match[1] as string)), true) };
    }
    match = /^\/v2\/checkout\/orders\/([^/]+)\/capture$/.exec(path);
    if (match && method === "POST") {
      return { status: 201, body: this.capture(decodeURIComponent(match[1] as string)) };
    }
    match = /^\/v2\/payments\/captures\/([^/]+)$/.exec(path);
    if (match && method === "GET") {
      const capture = this.captures.get(decodeURIComponent(match[1] as string));
      if (!capture) throw notFound("capture_id", match[1] as string);
      return { status: 200, body: this.captureJson(capture) };
    }
    match = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(path);
    if (match && method === "POST") {
      const refund = this.refund(decodeURIComponent(match[1] as string), body);
      const full = request.headers.prefer === "return=representation";
      return {
        status: 201,
        body: full
          ? this.refundJson(refund)
          : { id: refund.id, status: refund.status, links: this.refundJson(refund).links },
      };
    }
    if (method === "POST" && path === "/v1/notifications/verify-webhook-signature") {
      return {
        status: 200,
        body: { verification_status: this.verifySignature(body) ? "SUCCESS" : "FAILURE" },
      };
    }
    if (method === "POST" && path === "/v1/notifications/webhooks") {
      const url = typeof body.url === "string" ? body.url : undefined;
      if (!url)
        throw invalidRequest(
          "/url",
          "MISSING_REQUIRED_PARAMETER",
          "A required field / parameter is missing.",
        );
      const types = Array.isArray(body.event_types)
        ? body.event_types.map((t) => String((t as Json)?.name ?? t))
        : ["*"];
      const webhook = this.registerWebhook(url, types);
      return { status: 201, body: this.webhookJson(webhook) };
    }
    if (method === "GET" && path === "/v1/notifications/webhooks") {
      return { status: 200, body: { webhooks: this.webhooks.map((w) => this.webhookJson(w)) } };
    }
    if (method === "GET" && path === "/v1/notifications/webhooks-events") {
      return {
        status: 200,
        body: { events: [...this.events].reverse().map((e) => e.body), count: this.events.length },
      };
    }
    match = /^\/v1\/notifications\/webhooks-events\/([^/]+)(\/resend)?$/.exec(path);
    if (match) {
      const id = decodeURIComponent(match[1] as string);
      if (method === "POST" && match[2]) return { status: 202, body: this.resend(id).body };
      const event = this.events.find((e) => e.id === id);
      if (!event) throw notFound("event_id", id);
      return { status: 200, body: event.body };
    }
    throw notFound("path", path);
  }

  private createOrder(body: Json): Json {
    const intent = body.intent;
    if (intent !== "CAPTURE" && intent !== "AUTHORIZE") {
      throw invalidRequest(
        "/intent",
        intent === undefined ? "MISSING_REQUIRED_PARAMETER" : "INVALID_PARAMETER_VALUE",
        "intent must be CAPTURE or AUTHORIZE.",
      );
    }
    const units = Array.isArray(body.purchase_units) ? (body.purchase_units as Json[]) : [];
    const unit = units[0];
    if (!unit)
      throw invalidRequest(
        "/purchase_units",
        "MISSING_REQUIRED_PARAMETER",
        "A required field / parameter is missing.",
      );
    const amount = unit.amount as Json | undefined;
    const currency = typeof amount?.currency_code === "string" ? amount.currency_code : undefined;
    const value = typeof amount?.value === "string" ? amount.value : undefined;
    if (!currency || !value) {
      throw invalidRequest(
        "/purchase_units/@reference_id=='default'/amount",
        "MISSING_REQUIRED_PARAMETER",
        "A required field / parameter is missing.",
      );
    }
    if (!/^\d{1,10}(\.\d{1,})?$/.test(value)) {
      throw invalidRequest(
        "/purchase_units/@reference_id=='default'/amount/value",
        "INVALID_PARAMETER_SYNTAX",
        "The value of a field does not conform to the expected format.",
      );
    }
    if (!SUPPORTED_CURRENCIES.has(currency)) {
      throw unprocessable("CURRENCY_NOT_SUPPORTED", "Currency code is not currently supported.");
    }
    const places = value.split(".")[1]?.length ?? 0;
    if (places > (WHOLE_UNIT_CURRENCIES.has(currency) ? 0 : 2)) {
      throw unprocessable(
        "DECIMAL_PRECISION",
        "If the currency supports decimals, only two decimal place precision is supported.",
      );
    }
    if ((micros(value) ?? 0) <= 0) {
      throw unprocessable("AMOUNT_NOT_POSITIVE", "Amount must be greater than zero.");
    }
    const paypal = (body.payment_source as Json | undefined)?.paypal as Json | undefined;
    const context = (paypal?.experience_context ?? body.application_context) as Json | undefined;
    const at = now();
    const order: Order = {
      id: paypalId(),
      intent,
      status: paypal ? "PAYER_ACTION_REQUIRED" : "CREATED",
      unit: {
        reference_id: typeof unit.reference_id === "string" ? unit.reference_id : "default",
        ...(typeof unit.custom_id === "string" ? { custom_id: unit.custom_id } : {}),
        ...(typeof unit.description === "string" ? { description: unit.description } : {}),
        amount: { currency_code: currency, value },
      },
      returnUrl: typeof context?.return_url === "string" ? context.return_url : undefined,
      cancelUrl: typeof context?.cancel_url === "string" ? context.cancel_url : undefined,
      viaPaymentSource: paypal !== undefined,
      payerId: undefined,
      captureId: undefined,
      createTime: at,
      updateTime: at,
    };
    this.orders.set(order.id, order);
    return {
      id: order.id,
      status: order.status,
      ...(paypal ? { payment_source: { paypal: {} } } : {}),
      links: this.orderLinks(order),
    };
  }

  private capture(orderId: string): Json {
    const order = this.order(orderId);
    if (order.status === "COMPLETED")
      throw unprocessable(
        "ORDER_ALREADY_CAPTURED",
        "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
      );
    if (order.status !== "APPROVED") {
      throw unprocessable(
        "ORDER_NOT_APPROVED",
        "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.",
      );
    }
    const next = this.nextCaptures.get(orderId) ?? {};
    this.nextCaptures.delete(orderId);
    const at = now();
    const capture: Capture = {
      id: paypalId(),
      orderId,
      status: next.status ?? "COMPLETED",
      amount: next.amount ?? order.unit.amount,
      customId: order.unit.custom_id,
      refundedMicros: 0,
      createTime: at,
      updateTime: at,
    };
    this.captures.set(capture.id, capture);
    order.captureId = capture.id;
    order.status = "COMPLETED";
    order.updateTime = at;
    const eventType =
      capture.status === "COMPLETED"
        ? "PAYMENT.CAPTURE.COMPLETED"
        : capture.status === "PENDING"
          ? "PAYMENT.CAPTURE.PENDING"
          : "PAYMENT.CAPTURE.DECLINED";
    this.emitCapture(capture, eventType);
    return this.orderJson(order, true);
  }

  private refund(captureId: string, body: Json): Refund {
    const capture = this.captures.get(captureId);
    if (!capture) throw notFound("capture_id", captureId);
    if (capture.status !== "COMPLETED" && capture.status !== "PARTIALLY_REFUNDED") {
      throw unprocessable(
        capture.status === "REFUNDED" ? "CAPTURE_FULLY_REFUNDED" : "REFUND_NOT_ALLOWED",
        "The capture cannot be refunded.",
      );
    }
    const total = micros(capture.amount.value) ?? 0;
    const left = total - capture.refundedMicros;
    const asked = body.amount as Json | undefined;
    let amount = left;
    if (asked) {
      const value = typeof asked.value === "string" ? micros(asked.value) : undefined;
      if (value === undefined || asked.currency_code !== capture.amount.currency_code) {
        throw unprocessable(
          "REFUND_CURRENCY_MISMATCH",
          "Refund must be in the same currency as the capture.",
        );
      }
      if (value > left)
        throw unprocessable(
          "REFUND_AMOUNT_EXCEEDED",
          "The refund amount must be less than or equal to the capture amount that has not yet been refunded.",
        );
      amount = value;
    }
    const refund: Refund = {
      id: paypalId(),
      captureId,
      status: "COMPLETED",
      amount: {
        currency_code: capture.amount.currency_code,
        value: decimal(amount, capture.amount.currency_code),
      },
      createTime: now(),
    };
    this.refunds.set(refund.id, refund);
    capture.refundedMicros += amount;
    capture.status = capture.refundedMicros >= total ? "REFUNDED" : "PARTIALLY_REFUNDED";
    capture.updateTime = refund.createTime;
    this.emit(
      "PAYMENT.CAPTURE.REFUNDED",
      "refund",
      this.refundJson(refund),
      `A $ ${refund.amount.value} ${refund.amount.currency_code} capture payment was refunded`,
    );
    return refund;
  }

  private verifySignature(body: Json): boolean {
    const required = [
      "auth_algo",
      "cert_url",
      "transmission_id",
      "transmission_sig",
      "transmission_time",
      "webhook_id",
    ];
    for (const field of required) {
      if (typeof body[field] !== "string" || body[field] === "") {
        throw invalidRequest(
          `/${field}`,
          "MISSING_REQUIRED_PARAMETER",
          "A required field / parameter is missing.",
        );
      }
    }
    const event = body.webhook_event;
    if (typeof event !== "object" || event === null) {
      throw invalidRequest(
        "/webhook_event",
        "MISSING_REQUIRED_PARAMETER",
        "A required field / parameter is missing.",
      );
    }
    // Only this sandbox's own certificate is trusted, as PayPal trusts only its own.
    if (body.cert_url !== this.certUrl || body.auth_algo !== AUTH_ALGO) return false;
    if (!this.webhooks.some((w) => w.id === body.webhook_id)) return false;
    const text = signedText(
      body.transmission_id as string,
      body.transmission_time as string,
      body.webhook_id as string,
      JSON.stringify(event),
    );
    return verify(this.signingKey(), text, body.transmission_sig as string);
  }

  private control(path: string, text: string, response: ServerResponse): void {
    const body = parseJson(text);
    let match: RegExpExecArray | null;
    match = /^\/sandbox\/orders\/([^/]+)\/next-capture$/.exec(path);
    if (match) {
      this.order(match[1] as string);
      this.setNextCapture(match[1] as string, body as NextCapture);
      response.writeHead(204).end();
      return;
    }
    match = /^\/sandbox\/captures\/([^/]+)\/(complete|deny|reverse)$/.exec(path);
    if (match) {
      const id = match[1] as string;
      if (match[2] === "reverse") this.reverse(id);
      else this.settlePending(id, match[2] === "complete" ? "COMPLETED" : "DECLINED");
      response.writeHead(204).end();
      return;
    }
    if (path === "/sandbox/webhooks/hold") {
      this.holdWebhooks();
      response.writeHead(204).end();
      return;
    }
    if (path === "/sandbox/webhooks/release") {
      void this.releaseWebhooks();
      response.writeHead(204).end();
      return;
    }
    throw notFound("path", path);
  }

  // ---- webhooks ----

  private emitCapture(capture: Capture, eventType: string): void {
    this.emit(
      eventType,
      "capture",
      this.captureJson(capture),
      `Payment ${capture.status.toLowerCase()} for $ ${capture.amount.value} ${capture.amount.currency_code}`,
    );
  }

  private emit(eventType: string, resourceType: string, resource: Json, summary: string): void {
    const id = `WH-${paypalId()}-${paypalId()}`;
    const body: Json = {
      id,
      event_version: "1.0",
      create_time: new Date().toISOString(),
      resource_type: resourceType,
      resource_version: "2.0",
      event_type: eventType,
      summary,
      resource,
      links: [
        { href: `${this.base}/v1/notifications/webhooks-events/${id}`, rel: "self", method: "GET" },
        { href: `${this.base}/v1/notifications/webhooks-events/${id}/resend`, rel: "resend", method: "POST" },
      ],
    };
    const event: SandboxEvent = { id, eventType, body, deliveries: [] };
    this.events.push(event);
    this.deliverToAll(event);
  }

  private deliverToAll(event: SandboxEvent): void {
    for (const webhook of this.webhooks) {
      if (!webhook.eventTypes.includes("*") && !webhook.eventTypes.includes(event.eventType)) continue;
      const send = () => this.deliver(event, webhook);
      if (this.held) this.held.push(send);
      else this.track(send());
    }
  }

  private track(delivery: Promise<void>): Promise<void> {
    this.inFlight.add(delivery);
    return delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(event: SandboxEvent, webhook: SandboxWebhook): Promise<void> {
    const { headers, body } = this.signedDelivery(JSON.stringify(event.body), webhook.id);
    const transmissionId = headers["paypal-transmission-id"] as string;
    let status: number | "error";
    try {
      const response = await fetch(webhook.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = "error";
    }
    event.deliveries.push({ transmissionId, webhookId: webhook.id, status, at: now() });
  }

  // ---- representations ----

  private orderLinks(order: Order): Json[] {
    const self = `${this.base}/v2/checkout/orders/${order.id}`;
    const links: Json[] = [{ href: self, rel: "self", method: "GET" }];
    if (order.status === "CREATED" || order.status === "PAYER_ACTION_REQUIRED") {
      links.push({
        href: `${this.base}/checkoutnow?token=${order.id}`,
        rel: order.viaPaymentSource ? "payer-action" : "approve",
        method: "GET",
      });
    }
    if (order.status === "APPROVED") links.push({ href: `${self}/capture`, rel: "capture", method: "POST" });
    return links;
  }

  private orderJson(order: Order, full: boolean): Json {
    const capture = order.captureId ? this.captures.get(order.captureId) : undefined;
    // A made-up payer: PayPal shares who paid; Zaqros must not keep it.
    const payer = order.payerId
      ? {
          name: { given_name: "Sandbox", surname: "Payer" },
          email_address: `payer-${order.payerId.toLowerCase()}@personal.example.com`,
          payer_id: order.payerId,
          address: { country_code: "US" },
        }
      : undefined;
    return {
      id: order.id,
      intent: order.intent,
      status: order.status,
      ...(payer
        ? {
            payment_source: {
              paypal: {
                email_address: payer.email_address,
                account_id: payer.payer_id,
                account_status: "VERIFIED",
                name: payer.name,
                address: payer.address,
              },
            },
          }
        : {}),
      purchase_units: [
        {
          ...order.unit,
          payee: { email_address: "merchant@business.example.com", merchant_id: "SANDBOXMERCHANT" },
          ...(full && capture ? { payments: { captures: [this.captureJson(capture)] } } : {}),
        },
      ],
      ...(payer ? { payer } : {}),
      create_time: order.createTime,
      update_time: order.updateTime,
      links: this.orderLinks(order),
    };
  }

  private captureJson(capture: Capture): Json {
    const self = `${this.base}/v2/payments/captures/${capture.id}`;
    return {
      id: capture.id,
      status: capture.status,
      amount: capture.amount,
      final_capture: true,
      seller_protection: {
        status: "ELIGIBLE",
        dispute_categories: ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"],
      },
      ...(capture.customId ? { custom_id: capture.customId } : {}),
      supplementary_data: { related_ids: { order_id: capture.orderId } },
      links: [
        { href: self, rel: "self", method: "GET" },
        { href: `${self}/refund`, rel: "refund", method: "POST" },
        { href: `${this.base}/v2/checkout/orders/${capture.orderId}`, rel: "up", method: "GET" },
      ],
      create_time: capture.createTime,
      update_time: capture.updateTime,
    };
  }

  private refundJson(refund: Refund): Json {
    const self = `${this.base}/v2/payments/refunds/${refund.id}`;
    return {
      id: refund.id,
      amount: refund.amount,
      status: refund.status,
      create_time: refund.createTime,
      update_time: refund.createTime,
      links: [
        { href: self, rel: "self", method: "GET" },
        { href: `${this.base}/v2/payments/captures/${refund.captureId}`, rel: "up", method: "GET" },
      ],
    };
  }

  private webhookJson(webhook: SandboxWebhook): Json {
    return {
      id: webhook.id,
      url: webhook.url,
      event_types: webhook.eventTypes.map((name) => ({ name })),
      links: [{ href: `${this.base}/v1/notifications/webhooks/${webhook.id}`, rel: "self", method: "GET" }],
    };
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }
}

function withQuery(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return target.toString();
}

function parseJson(text: string): Json {
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Json;
  } catch {
    // answered below
  }
  throw new ApiError(
    400,
    "INVALID_REQUEST",
    "Request is not well-formed, syntactically incorrect, or violates schema.",
    [
      {
        location: "body",
        issue: "MALFORMED_REQUEST_JSON",
        description: "The request JSON is not well formed.",
      },
    ],
  );
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new ApiError(413, "REQUEST_TOO_LARGE", "The request is too large.");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
