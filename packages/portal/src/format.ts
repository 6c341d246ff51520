/** Display helpers: money in micro-units, dates in UTC (the server's and the CDRs' time zone). */

const MICROS = 1_000_000;

/** Micro-units as a decimal amount with the currency code, e.g. `1.234500 EUR` → `1.2345 EUR`. */
export function formatMoney(micros: number, currency: string, minimumFractionDigits = 2): string {
  const amount = micros / MICROS;
  const text = new Intl.NumberFormat("en-GB", {
    minimumFractionDigits,
    maximumFractionDigits: 6,
  }).format(amount);
  return `${text} ${currency}`;
}

/** `2026-11-30 12:34` in UTC. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDate(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

/** Seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return "—";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
