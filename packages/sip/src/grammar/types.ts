/**
 * The value types the grammar produces. They mirror, field for field, the shapes of the same
 * names in `message/types.ts` (the contract between the layers): the grammar is the top layer
 * and may not import from `message/`, so it states them here and TypeScript's structural typing
 * makes the two interchangeable. The message layer hands these values out as its own types,
 * which the compiler checks in both directions.
 */

/** A parameter list, names lower-cased, `null` for a parameter without a value. */
export type Params = Map<string, string | null>;

export interface SipUri {
  readonly scheme: "sip" | "sips";
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Params;
  headers: Map<string, string>;
}

export interface TelUri {
  readonly scheme: "tel";
  number: string;
  params: Params;
}

export interface OtherUri {
  readonly scheme: string;
  readonly other: true;
  text: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export interface NameAddr {
  displayName?: string;
  uri: Uri;
  params: Params;
}

export interface Via {
  protocol: string;
  transport: string;
  host: string;
  port?: number;
  params: Params;
}

export interface CSeq {
  seq: number;
  method: string;
}

export interface AuthHeader {
  scheme: string;
  params: Map<string, string>;
}
