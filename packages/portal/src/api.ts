/**
 * The portal's one way to the server: JSON over fetch, same origin, the session cookie sent by
 * the browser, the CSRF token (from sign-in or `GET /api/v1/auth/me`) on every state-changing
 * request, and RFC 9457 problem+json answers turned into {@link ApiError}s a person can read.
 */

/** A refused or failed request, with a message meant for the person using the portal. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let csrfToken: string | undefined;

/** Remembers the session's CSRF token; sign-in and `/auth/me` hand it out. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Listeners told when the server says the session is gone (401 on a signed-in request). */
const signedOutListeners = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

/** Messages in the customer's words for codes whose server text is terse or technical. */
const FRIENDLY: Record<string, string> = {
  "IDENTITY.INVALID_CREDENTIALS": "That email and password do not match an account.",
  "IDENTITY.TWO_FACTOR_REQUIRED": "Enter the 6-digit code from your authenticator app.",
  "IDENTITY.INVALID_TWO_FACTOR_CODE":
    "That code is not right. Codes change every 30 seconds; try the newest.",
  "IDENTITY.REAUTHENTICATION_REQUIRED": "Please confirm your current password first.",
  "IDENTITY.NOT_SIGNED_IN": "Your session has ended. Please sign in again.",
  "IDENTITY.INVALID_TOKEN": "This link is not valid any more. It may have been used already or expired.",
  "HTTP.CSRF": "The request was refused for your protection. Reload the page and try again.",
  FST_ERR_VALIDATION: "Some of the information is not in the expected form. Please check it and try again.",
  "APIKEY.RATE_LIMITED": "Too many requests in a short time. Wait a minute and try again.",
};

interface ProblemBody {
  title?: string;
  detail?: string;
  code?: string;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let problem: ProblemBody = {};
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    problem = (await response.json().catch(() => ({}))) as ProblemBody;
  }
  const code = typeof problem.code === "string" ? problem.code : undefined;
  let message = (code && FRIENDLY[code]) || problem.detail || problem.title;
  if (code === "IDENTITY.TOO_MANY_ATTEMPTS") {
    const retry = Number(response.headers.get("retry-after"));
    message = `Too many attempts. Please wait ${Number.isFinite(retry) && retry > 0 ? `${retry} seconds` : "a moment"} and try again.`;
  }
  if (!message || response.status >= 500) {
    message =
      response.status >= 500
        ? `The server could not finish that (${response.status}). Please try again in a moment.${problem.detail ? ` ${problem.detail}` : ""}`
        : `The request was refused (${response.status}).`;
  }
  return new ApiError(message, response.status, code);
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Do not announce a 401 as a signed-out session (sign-in itself, `/auth/me` probes). */
  quiet401?: boolean;
}

/** Builds `/api/v1<path>?query`, leaving out empty query values. */
export function apiUrl(path: string, query: RequestOptions["query"] = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return `/api/v1${path}${search ? `?${search}` : ""}`;
}

/** Sends a request; resolves with the JSON body (undefined for 204), rejects with an ApiError. */
export async function api<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      credentials: "same-origin",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError("The server cannot be reached. Check your connection and try again.", 0, undefined);
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    const sessionGone = error.code === undefined || error.code === "IDENTITY.NOT_SIGNED_IN";
    if (response.status === 401 && !options.quiet401 && sessionGone) {
      for (const listener of signedOutListeners) listener();
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  return (type.includes("json") ? await response.json() : await response.text()) as T;
}

/** The human message of any error thrown by {@link api} (or anything else). */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/**
 * Confirms the current password before a sensitive change (email, password, two-factor): the server
 * asks for it again when the sign-in is older than a few minutes.
 */
export async function reauthenticate(password: string): Promise<void> {
  try {
    await api("/auth/reauthenticate", { method: "POST", body: { password }, quiet401: true });
  } catch (error) {
    if (error instanceof ApiError && error.code === "IDENTITY.INVALID_CREDENTIALS") {
      throw new ApiError("Your current password is not right.", error.status, error.code);
    }
    throw error;
  }
}
