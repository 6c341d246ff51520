/** Where a REGISTER came from: where to send requests to reach the phone behind NAT. */
export interface RegistrationSource {
  transport: string;
  address: string;
  port: number;
  /** The TCP/TLS/WS connection to reuse, if any. */
  connectionId?: string | undefined;
}

export interface ContactRequest {
  uri: string;
  /** Seconds; 0 removes the binding. */
  expires: number;
  /** 0..1000 (q=1.0 → 1000). */
  q: number;
}

export interface RegisterRequest {
  deviceId: string;
  accountId: string;
  /** `"*"` removes every binding of the device. */
  contacts: ContactRequest[] | "*";
  callId: string;
  cseq: number;
  source: RegistrationSource;
  userAgent?: string | undefined;
  nodeId: string;
}

export interface Binding {
  deviceId: string;
  accountId: string;
  contactUri: string;
  source: RegistrationSource;
  nodeId: string;
  q: number;
  expiresAt: string;
  /** Seconds left at the time of reading. */
  expiresIn: number;
}

export interface RegistrarPolicy {
  minExpires: number;
  maxExpires: number;
  maxContactsPerDevice: number;
}
