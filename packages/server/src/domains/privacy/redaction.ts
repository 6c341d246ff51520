/**
 * The one redaction list of Zaqros. The logger applies it to every log line; nothing else keeps
 * its own list. Owned by the privacy domain because what counts as a secret is a privacy decision.
 *
 * Keys are matched at any depth, case-insensitively, ignoring `-` and `_`
 * (`Proxy-Authorization`, `proxy_authorization` and `proxyAuthorization` are one key).
 */
export const REDACTED_KEYS: readonly string[] = [
  "password",
  "newPassword",
  "currentPassword",
  "passwordHash",
  "sipPassword",
  "authorization",
  "proxyAuthorization",
  "cookie",
  "setCookie",
  "ha1",
  "ha1Md5",
  "ha1Sha256",
  "digestResponse",
  "apiKey",
  "xApiKey",
  "token",
  "accessToken",
  "refreshToken",
  "resetToken",
  "verificationToken",
  "sessionId",
  "sid",
  "secret",
  "clientSecret",
  "totpSecret",
  "totpCode",
  "recoveryCodes",
  "cardNumber",
  "cvv",
];

export const REDACTION_MARK = "[redacted]";

const normalise = (key: string) => key.replace(/[-_]/g, "").toLowerCase();
const redactedKeySet = new Set(REDACTED_KEYS.map(normalise));

/**
 * Secrets that can hide inside free text (a SIP message or header line written into a log):
 * digest `response=`/`nonce`-bound values, Bearer and Basic credentials, `__Host-` session cookies.
 */
const TEXT_PATTERNS: readonly RegExp[] = [
  /((?:^|[\s,])response\s*=\s*)("[^"]*"|[^\s,]+)/gi,
  /(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]+/g,
  /(__Host-[A-Za-z0-9_]+=)[^;\s]+/g,
  /(\bzq_(?:live|test)_)[A-Za-z0-9]+/g,
  /([?&](?:api_?key|key|token|access_token|password|secret)=)[^&#\s]+/gi,
];

export function isRedactedKey(key: string): boolean {
  return redactedKeySet.has(normalise(key));
}

export function redactText(text: string): string {
  let out = text;
  for (const pattern of TEXT_PATTERNS) out = out.replace(pattern, `$1${REDACTION_MARK}`);
  return out;
}

/** A deep copy of `value` with every secret replaced by {@link REDACTION_MARK}. Cycles are cut. */
export function redact(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return redactText(value);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, seen));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactText(value.message),
      stack: value.stack && redactText(value.stack),
    };
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isRedactedKey(key) ? REDACTION_MARK : redact(inner, seen);
  }
  return out;
}
