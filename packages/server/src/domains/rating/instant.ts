/** The start of time for deck rows without an effective_from: in effect for every call. */
export const SINCE_ALWAYS = "1970-01-01T00:00:00.000Z";

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * Reads an ISO-8601 instant as a UTC ISO string: a date alone (`2026-12-01`, midnight UTC) or a
 * date and time with a zone (`2026-12-01T08:00:00Z`, `...+01:00`). A time without a zone is
 * refused rather than guessed. Returns undefined when the text is not such an instant.
 */
export function parseInstant(text: string): string | undefined {
  const match = ISO_8601.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day)) return undefined;
  if (Number(hour ?? 0) > 23 || Number(minute ?? 0) > 59 || Number(second ?? 0) > 59) return undefined;
  const ms = Date.parse(text.trim().replace(" ", "T"));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
