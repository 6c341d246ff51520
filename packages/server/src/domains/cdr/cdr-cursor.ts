import { DomainError } from "../domain-error.ts";

export interface CdrPosition {
  startedAt: string;
  id: string;
}

/** An opaque page cursor: the last record's start time and id. */
export function encodeCdrCursor(position: CdrPosition): string {
  return Buffer.from(JSON.stringify([position.startedAt, position.id])).toString("base64url");
}

export function decodeCdrCursor(cursor: string): CdrPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      !Number.isNaN(Date.parse(value[0])) &&
      typeof value[1] === "string" &&
      value[1].length <= 100
    ) {
      return { startedAt: new Date(value[0]).toISOString(), id: value[1] };
    }
  } catch {
    // reported below
  }
  throw new DomainError("CDR.INVALID_QUERY", "The cursor is not one this server gave out.", {
    field: "cursor",
  });
}
