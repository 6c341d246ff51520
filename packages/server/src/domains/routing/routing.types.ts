export type CarrierTransport = "udp" | "tcp" | "tls";

export interface Carrier {
  id: string;
  name: string;
  host: string;
  port: number;
  transport: CarrierTransport;
  /** Digest credentials towards the carrier, when it asks for them. */
  authUsername: string | null;
  authPassword: string | null;
  /** Digits put before the number sent to the carrier. */
  techPrefix: string;
  /** Leading digits of the E.164 number (without +) removed before the tech prefix is added. */
  stripDigits: number;
  /** Lower is preferred when costs tie. */
  priority: number;
  channelLimit: number | null;
  currency: string;
  enabled: boolean;
  /** False while the carrier does not answer OPTIONS probes. */
  reachable: boolean;
  /** IP addresses the carrier sends calls from. */
  addresses: string[];
}

export interface NewCarrier {
  name: string;
  host: string;
  port?: number | undefined;
  transport?: CarrierTransport | undefined;
  authUsername?: string | undefined;
  authPassword?: string | undefined;
  techPrefix?: string | undefined;
  stripDigits?: number | undefined;
  priority?: number | undefined;
  channelLimit?: number | undefined;
  currency?: string | undefined;
  addresses?: string[] | undefined;
}

/** One prefix of a carrier's buy-rate deck; money in micro-units. */
export interface CarrierRate {
  prefix: string;
  costPerMinute: number;
  connectCost: number;
  initialIncrement: number;
  subsequentIncrement: number;
  description: string | null;
}

/** A carrier able to take a call, with what it costs us. */
export interface RouteCandidate {
  carrier: Carrier;
  rate: CarrierRate;
  /** The number as the carrier wants it in the Request-URI user part. */
  dialString: string;
}
