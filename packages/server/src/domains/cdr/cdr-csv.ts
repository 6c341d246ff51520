import { formatMicros } from "../money.ts";
import type { Cdr } from "./cdr.types.ts";

export const CDR_CSV_COLUMNS = [
  "id",
  "call_id",
  "account_id",
  "device_id",
  "direction",
  "source",
  "destination",
  "started_at",
  "answered_at",
  "ended_at",
  "duration_seconds",
  "billed_seconds",
  "cost",
  "currency",
  "carrier_id",
  "sip_status",
  "hangup_by",
] as const;

/** RFC 4180 quoting for the one field a person may have typed (a Call-ID is any token). */
function quoted(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function cdrCsvHeader(): string {
  return `${CDR_CSV_COLUMNS.join(",")}\n`;
}

/** One record as a CSV line; money as a decimal in the record's currency. */
export function cdrCsvLine(cdr: Cdr): string {
  return `${[
    cdr.id,
    quoted(cdr.callId),
    cdr.accountId,
    cdr.deviceId ?? "",
    cdr.direction,
    cdr.source,
    cdr.destination,
    cdr.startedAt,
    cdr.answeredAt ?? "",
    cdr.endedAt,
    cdr.durationSeconds,
    cdr.billedSeconds,
    formatMicros(cdr.cost),
    cdr.currency,
    cdr.carrierId ?? "",
    cdr.sipStatus ?? "",
    cdr.hangupBy,
  ].join(",")}\n`;
}
