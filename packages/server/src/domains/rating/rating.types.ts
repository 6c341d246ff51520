import type { CallDirection } from "../../db/schema.ts";

export type { CallDirection };

/**
 * How a call's time becomes money. Money in micro-units of the plan's currency, increments in
 * seconds: 60/60 bills whole minutes, 30/6 a first half minute then six-second steps, 1/1 per second.
 */
export interface Tariff {
  pricePerMinute: number;
  connectFee: number;
  initialIncrement: number;
  subsequentIncrement: number;
  minimumCharge: number;
}

/** One row of a retail rate deck. */
export interface RetailRate extends Tariff {
  /** Digits of the E.164 number without `+`. */
  prefix: string;
  /** ISO-8601 UTC instant from which the row applies, until a later row of the same prefix. */
  effectiveFrom: string;
}

export interface RatePlan {
  id: string;
  name: string;
  currency: string;
  /** Per minute, per second billing, for calls between our own numbers (0 = free). */
  onnetPricePerMinute: number;
  /** Per minute, per second billing, charged to the owner of the number called from outside (0 = free). */
  inboundPricePerMinute: number;
  /** Grows on every change to the plan's rows. */
  revision: number;
  createdAt: string;
  updatedAt: string;
}

/** The rate a call is charged by, frozen when it is admitted so later deck changes do not move it. */
export interface CallRate extends Tariff {
  planId: string;
  currency: string;
  /** The deck prefix that matched; null for on-net and inbound calls, priced by the plan itself. */
  prefix: string | null;
}

export interface RateQuery {
  accountId: string;
  direction: CallDirection;
  /** E.164 of the number called (outbound) or of ours that was called (inbound, on-net). */
  destination: string;
  /** When the call started; chooses the deck rows in effect. */
  at: Date;
}

export interface DeckImportResult {
  planId: string;
  /** True when the import made the plan. */
  created: boolean;
  imported: number;
}
