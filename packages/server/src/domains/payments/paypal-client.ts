import type {
  CreateOrderRequest,
  GatewayAmount,
  GatewayCapture,
  GatewayOrder,
  GatewayRefund,
  PaymentGateway,
  WebhookTransmission,
} from "./payments.types.ts";

export interface PayPalClientOptions {
  /** https://api-m.paypal.com (live), https://api-m.sandbox.paypal.com, or the local sandbox. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  webhookId: string;
  /** Milliseconds before a request to PayPal is given up. */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * A PayPal REST API answer other than 2xx. `name` and `issue` are PayPal's (`UNPROCESSABLE_ENTITY`,
 * `ORDER_ALREADY_CAPTURED`); `debugId` is what PayPal's support asks for. Holds no credentials.
 */
export class PayPalApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    readonly issue: string | undefined,
    readonly debugId: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "PayPalApiError";
  }
}

/** Tokens are renewed this long before PayPal says they expire. */
const TOKEN_MARGIN_MS = 60_000;

interface Token {
  value: string;
  expiresAt: number;
}

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function amountOf(value: unknown): GatewayAmount | undefined {
  const amount = asObject(value);
  const currency = asString(amount?.currency_code);
  const decimal = asString(amount?.value);
  return currency && decimal ? { currency_code: currency, value: decimal } : undefined;
}

/** The id at the end of a HATEOAS link with the given rel whose path has `/<segment>/<id>`. */
function linkedId(links: unknown, rel: string, segment: string): string | undefined {
  for (const link of asArray(links)) {
    const object = asObject(link);
    if (asString(object?.rel) !== rel) continue;
    const match = new RegExp(`/${segment}/([^/?#]+)`).exec(asString(object?.href) ?? "");
    if (match?.[1]) return decodeURIComponent(match[1]);
  }
  return undefined;
}

/** Reads a capture object (Orders v2 `purchase_units[].payments.captures[]`, or a webhook resource). */
export function readCapture(value: unknown): GatewayCapture | undefined {
  const capture = asObject(value);
  const id = asString(capture?.id);
  if (!capture || !id) return undefined;
  const related = asObject(asObject(capture.supplementary_data)?.related_ids);
  return {
    id,
    status: asString(capture.status) ?? "",
    amount: amountOf(capture.amount),
    customId: asString(capture.custom_id),
    orderId: asString(related?.order_id) ?? linkedId(capture.links, "up", "orders"),
  };
}

/** Reads a refund object (refund answer, or the resource of PAYMENT.CAPTURE.REFUNDED/REVERSED). */
export function readRefund(value: unknown): GatewayRefund | undefined {
  const refund = asObject(value);
  const id = asString(refund?.id);
  if (!refund || !id) return undefined;
  return {
    id,
    status: asString(refund.status) ?? "",
    amount: amountOf(refund.amount),
    captureId: linkedId(refund.links, "up", "captures"),
  };
}

function readOrder(value: unknown): GatewayOrder {
  const order = asObject(value);
  const id = asString(order?.id);
  if (!order || !id)
    throw new PayPalApiError(502, "INVALID_RESPONSE", undefined, undefined, "PayPal sent no order id.");
  const unit = asObject(asArray(order.purchase_units)[0]);
  const capture = readCapture(asArray(asObject(unit?.payments)?.captures)[0]);
  return {
    id,
    status: asString(order.status) ?? "",
    amount: amountOf(unit?.amount),
    customId: asString(unit?.custom_id),
    capture,
  };
}

/**
 * PayPal's REST API: OAuth2 client credentials (the token cached until shortly before it expires),
 * Orders v2 create/get/capture, Payments v2 refund, and webhook signature verification. It reads
 * only references, amounts and statuses from PayPal's answers; the payer's details are never read.
 */
export class PayPalClient implements PaymentGateway {
  private token: Token | undefined;
  private pendingToken: Promise<Token> | undefined;
  private readonly baseUrl: string;
  private readonly now: () => number;

  constructor(private readonly options: PayPalClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.now = options.now ?? Date.now;
  }

  async createOrder(request: CreateOrderRequest): Promise<{ orderId: string; approveUrl: string }> {
    const body = {
      intent: "CAPTURE",
      purchase_units: [
        {
          reference_id: request.topUpId,
          custom_id: request.topUpId,
          description: "Zaqros balance top-up",
          amount: request.amount,
        },
      ],
      payment_source: {
        paypal: {
          experience_context: {
            return_url: request.returnUrl,
            cancel_url: request.cancelUrl,
            user_action: "PAY_NOW",
            shipping_preference: "NO_SHIPPING",
          },
        },
      },
    };
    const answer = asObject(
      await this.call("POST", "/v2/checkout/orders", { body, requestId: `order-${request.topUpId}` }),
    );
    const orderId = asString(answer?.id);
    let approveUrl: string | undefined;
    for (const link of asArray(answer?.links)) {
      const rel = asString(asObject(link)?.rel);
      if (rel === "payer-action" || rel === "approve") approveUrl = asString(asObject(link)?.href);
    }
    if (!orderId || !approveUrl) {
      throw new PayPalApiError(
        502,
        "INVALID_RESPONSE",
        undefined,
        undefined,
        "PayPal sent no approval link.",
      );
    }
    return { orderId, approveUrl };
  }

  async getOrder(orderId: string): Promise<GatewayOrder> {
    return readOrder(await this.call("GET", `/v2/checkout/orders/${encodeURIComponent(orderId)}`));
  }

  async captureOrder(orderId: string, requestId: string): Promise<GatewayOrder> {
    return readOrder(
      await this.call("POST", `/v2/checkout/orders/${encodeURIComponent(orderId)}/capture`, {
        body: {},
        requestId,
      }),
    );
  }

  async refundCapture(
    captureId: string,
    amount: GatewayAmount | undefined,
    requestId: string,
  ): Promise<GatewayRefund> {
    const answer = await this.call("POST", `/v2/payments/captures/${encodeURIComponent(captureId)}/refund`, {
      body: amount ? { amount } : {},
      requestId,
      representation: true,
    });
    const refund = readRefund(answer);
    if (!refund)
      throw new PayPalApiError(502, "INVALID_RESPONSE", undefined, undefined, "PayPal sent no refund id.");
    return { ...refund, captureId: refund.captureId ?? captureId };
  }

  /**
   * @remarks PayPal signs `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the body>`;
   * the event is passed on byte for byte (spliced into the request, never re-serialised), because
   * the CRC is of the body as PayPal sent it.
   */
  async verifyWebhook(transmission: WebhookTransmission, rawBody: string): Promise<boolean> {
    const fields = {
      auth_algo: transmission.authAlgo,
      cert_url: transmission.certUrl,
      transmission_id: transmission.transmissionId,
      transmission_sig: transmission.transmissionSig,
      transmission_time: transmission.transmissionTime,
      webhook_id: this.options.webhookId,
    };
    if (Object.values(fields).some((value) => !value)) return false;
    const head = JSON.stringify(fields);
    const body = `${head.slice(0, -1)},"webhook_event":${rawBody}}`;
    const answer = asObject(
      await this.call("POST", "/v1/notifications/verify-webhook-signature", { rawBody: body }),
    );
    return asString(answer?.verification_status) === "SUCCESS";
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt - TOKEN_MARGIN_MS > this.now()) return this.token.value;
    this.pendingToken ??= this.fetchToken().finally(() => {
      this.pendingToken = undefined;
    });
    this.token = await this.pendingToken;
    return this.token.value;
  }

  private async fetchToken(): Promise<Token> {
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString("base64");
    const response = await this.send(`${this.baseUrl}/v1/oauth2/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${basic}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: "grant_type=client_credentials",
    });
    const answer = asObject(await response.json().catch(() => undefined));
    const value = asString(answer?.access_token);
    const expiresIn = Number(answer?.expires_in);
    if (!response.ok || !value || !Number.isFinite(expiresIn)) {
      throw new PayPalApiError(
        response.status,
        asString(answer?.error) ?? "AUTHENTICATION_FAILURE",
        undefined,
        response.headers.get("paypal-debug-id") ?? undefined,
        `PayPal refused the client credentials (${response.status} ${asString(answer?.error_description) ?? ""}).`.replace(
          " )",
          ")",
        ),
      );
    }
    return { value, expiresAt: this.now() + expiresIn * 1000 };
  }

  private async call(
    method: "GET" | "POST",
    path: string,
    options: { body?: unknown; rawBody?: string; requestId?: string; representation?: boolean } = {},
    retried = false,
  ): Promise<unknown> {
    const token = await this.accessToken();
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: "application/json",
    };
    if (options.requestId) headers["paypal-request-id"] = options.requestId;
    if (options.representation) headers.prefer = "return=representation";
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await this.send(`${this.baseUrl}${path}`, { method, headers, body });
    const answer = await response.json().catch(() => undefined);
    // A token PayPal stopped honouring before its time: fetch a new one, once.
    if (response.status === 401 && !retried) {
      this.token = undefined;
      return this.call(method, path, options, true);
    }
    if (!response.ok) throw errorFrom(response, answer);
    return answer;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 20_000) });
    } catch (error) {
      throw new PayPalApiError(
        503,
        "UNREACHABLE",
        undefined,
        undefined,
        `PayPal at ${new URL(url).origin} could not be reached: ${(error as Error).message}`,
      );
    }
  }
}

/** PayPal's error body: `{ name, message, debug_id, details: [{ issue, description }] }`. */
function errorFrom(response: Response, answer: unknown): PayPalApiError {
  const body = asObject(answer);
  const detail = asObject(asArray(body?.details)[0]);
  const name = asString(body?.name) ?? asString(body?.error) ?? `HTTP_${response.status}`;
  const issue = asString(detail?.issue);
  const message =
    asString(detail?.description) ??
    asString(body?.message) ??
    asString(body?.error_description) ??
    "PayPal refused the request.";
  return new PayPalApiError(
    response.status,
    name,
    issue,
    asString(body?.debug_id) ?? response.headers.get("paypal-debug-id") ?? undefined,
    `PayPal answered ${response.status} ${name}${issue ? `/${issue}` : ""}: ${message}`,
  );
}
