export interface SignUpInput {
  name: string;
  email: string;
  phone?: string | undefined;
  /** ISO 3166-1 alpha-2, used to read a national phone number; default US. */
  country?: string | undefined;
  password: string;
  confirmsAge16OrOver: boolean;
  acceptedTermsVersion: string;
  acceptedPrivacyVersion: string;
}

/** Where a request came from, recorded with each sign-in. */
export interface ClientInfo {
  ipAddress: string | null;
  userAgent: string | null;
}

export interface LoginInput extends ClientInfo {
  email: string;
  password: string;
  /** A 6-digit TOTP code or a recovery code, when the account uses two-factor sign-in. */
  totp?: string | undefined;
}

/** A new session: the cookie value is returned once and never stored. */
export interface NewSession {
  token: string;
  csrfToken: string;
  session: SessionInfo;
}

export interface SessionInfo {
  id: string;
  accountId: string;
  createdAt: string;
  lastSeenAt: string;
  authenticatedAt: string;
  expiresAt: string;
  ipAddress: string | null;
  userAgent: string | null;
}

export interface ActivityEntry {
  event: string;
  ipAddress: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  /** The API key used, for `api-use` entries. */
  apiKeyId: string | null;
  at: string;
}

export interface TwoFactorSetup {
  /** Base32 secret to type in by hand. */
  secret: string;
  /** otpauth:// URI for a QR code. */
  uri: string;
}

/** The current versions of the Terms and the Privacy Policy a new customer must accept. */
export interface LegalVersions {
  terms: string;
  privacy: string;
}
