/** Shapes of the server's answers the portal reads (see /api/v1/openapi.json). */

export interface Me {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  emailVerifiedAt: string | null;
  twoFactorEnabled: boolean;
  csrfToken: string;
}

export interface Account {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  status: "active" | "suspended" | "closed";
  country: string;
  currency: string;
  callerId: string | null;
  createdAt: string;
}

export interface Balance {
  balance: number;
  currency: string;
  formatted: string;
}

export interface Cdr {
  id: string;
  callId: string;
  deviceId: string | null;
  direction: "outbound" | "inbound" | "onnet";
  source: string;
  destination: string;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string;
  durationSeconds?: number;
  billedSeconds?: number;
  cost: number;
  currency: string;
  sipStatus?: number | null;
  hangupBy?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Device {
  id: string;
  username: string;
  realm: string;
  label: string | null;
  createdAt: string;
}

export interface ProvisionedDevice extends Device {
  password: string;
}

export interface PhoneNumber {
  e164: string;
  createdAt: string;
}

export interface Rate {
  number: string;
  prefix: string | null;
  currency: string;
  pricePerMinute: number;
  connectFee: number;
  initialIncrement: number;
  subsequentIncrement: number;
  minimumCharge: number;
}

export interface ApiKey {
  id: string;
  name: string;
  scope: "read" | "read-write";
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ipAddress: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface ActivityEntry {
  event: string;
  ipAddress: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  at: string;
}

export interface LegalVersions {
  terms: string;
  privacy: string;
}
