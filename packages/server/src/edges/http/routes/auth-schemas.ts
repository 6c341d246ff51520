/** JSON schemas of the /api/v1/auth routes; Fastify validates every request against them. */

const email = { type: "string", minLength: 3, maxLength: 254 } as const;
// Longer than the password policy allows, so an over-long password gets the policy's own message.
const password = { type: "string", minLength: 1, maxLength: 1024 } as const;
const token = { type: "string", minLength: 20, maxLength: 100, pattern: "^[A-Za-z0-9_-]+$" } as const;
const instant = { type: "string" } as const;
const nullableString = { type: ["string", "null"] } as const;

const body = (properties: Record<string, unknown>, required: readonly string[]) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});

const noContent = { 204: { type: "null" } } as const;

const sessionView = {
  type: "object",
  properties: {
    id: { type: "string" },
    createdAt: instant,
    lastSeenAt: instant,
    expiresAt: instant,
    ipAddress: nullableString,
    userAgent: nullableString,
    current: { type: "boolean" },
  },
} as const;

export const authSchemas = {
  legalVersions: {
    response: {
      200: { type: "object", properties: { terms: { type: "string" }, privacy: { type: "string" } } },
    },
  },
  signup: {
    body: body(
      {
        name: { type: "string", minLength: 1, maxLength: 200 },
        email,
        phone: { type: "string", minLength: 3, maxLength: 32 },
        country: { type: "string", minLength: 2, maxLength: 2 },
        password,
        confirmsAge16OrOver: { type: "boolean" },
        acceptedTermsVersion: { type: "string", maxLength: 64 },
        acceptedPrivacyVersion: { type: "string", maxLength: 64 },
      },
      ["name", "email", "password", "confirmsAge16OrOver", "acceptedTermsVersion", "acceptedPrivacyVersion"],
    ),
    response: { 202: { type: "object", properties: { status: { type: "string" } } } },
  },
  token: { body: body({ token }, ["token"]), response: noContent },
  login: {
    body: body({ email, password, totp: { type: "string", minLength: 6, maxLength: 32 } }, [
      "email",
      "password",
    ]),
    response: {
      200: {
        type: "object",
        properties: {
          accountId: { type: "string" },
          csrfToken: { type: "string" },
          session: { type: "object", properties: { id: { type: "string" }, expiresAt: instant } },
        },
      },
    },
  },
  resetRequest: {
    body: body({ email }, ["email"]),
    response: { 202: { type: "object", properties: { status: { type: "string" } } } },
  },
  resetConfirm: { body: body({ token, password }, ["token", "password"]), response: noContent },
  reauthenticate: { body: body({ password }, ["password"]), response: noContent },
  changePassword: { body: body({ password }, ["password"]), response: noContent },
  changeEmail: {
    body: body({ email }, ["email"]),
    response: { 202: { type: "object", properties: { status: { type: "string" } } } },
  },
  empty: { response: noContent },
  me: {
    response: {
      200: {
        type: "object",
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          email: { type: "string" },
          phone: nullableString,
          emailVerifiedAt: nullableString,
          twoFactorEnabled: { type: "boolean" },
          csrfToken: { type: "string" },
        },
      },
    },
  },
  sessions: {
    response: {
      200: { type: "object", properties: { sessions: { type: "array", items: sessionView } } },
    },
  },
  sessionId: {
    params: {
      type: "object",
      required: ["id"],
      properties: { id: { type: "string", format: "uuid" } },
    },
    response: noContent,
  },
  twoFactorSetup: {
    response: {
      200: { type: "object", properties: { secret: { type: "string" }, uri: { type: "string" } } },
    },
  },
  twoFactorEnable: {
    body: body({ code: { type: "string", pattern: "^[0-9]{6}$" } }, ["code"]),
    response: {
      200: {
        type: "object",
        properties: { recoveryCodes: { type: "array", items: { type: "string" } } },
      },
    },
  },
  activity: {
    response: {
      200: {
        type: "object",
        properties: {
          activity: {
            type: "array",
            items: {
              type: "object",
              properties: {
                event: { type: "string" },
                ipAddress: nullableString,
                userAgent: nullableString,
                country: { ...nullableString, description: "ISO 3166-1 alpha-2; null when unknown." },
                city: nullableString,
                apiKeyId: { ...nullableString, description: "The API key used, for api-use entries." },
                at: instant,
              },
            },
          },
          placesBy: {
            type: "object",
            description: "Who the approximate places come from; show this credit beside them (CC BY 4.0).",
            properties: { name: { type: "string" }, url: { type: "string" }, license: { type: "string" } },
          },
        },
      },
    },
  },
} as const;
