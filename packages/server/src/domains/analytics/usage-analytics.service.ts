import { AsYouType, parsePhoneNumberFromString } from "libphonenumber-js";
import metadata from "libphonenumber-js/metadata.min.json";
import { DomainError } from "../domain-error.ts";
import type { UsageAnalyticsRepository } from "./usage-analytics.repository.ts";

/** One destination country in one month, shown only when enough customers are in it. */
export interface UsageGroup {
  /** YYYY-MM (UTC). */
  month: string;
  /** ISO 3166-1 alpha-2, or `unknown` when the number names no country. */
  country: string;
  customers: number;
  calls: number;
  /** Billed minutes, rounded to one decimal. */
  minutes: number;
}

export interface UsageReport {
  from: string;
  to: string;
  /** Groups with fewer customers than this were left out. */
  minimumGroupSize: number;
  groups: UsageGroup[];
  /** How many (month, country) groups were left out for being too small; their figures are not given. */
  suppressedGroups: number;
  /** Customers who restricted or objected to processing: their calls are not counted at all. */
  excludedCustomers: number;
}

export interface UsageAnalyticsDeps {
  repository: UsageAnalyticsRepository;
  /** Accounts that restricted or objected to processing (the privacy domain answers). */
  excludedAccounts: () => Promise<string[]>;
  /** Smallest number of customers a group shown may have (default 20). */
  minimumGroupSize?: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const MAX_MONTHS = 36;
const callingCodes = (metadata as { country_calling_codes: Record<string, string[]> }).country_calling_codes;

/**
 * Usage analytics for staff, from aggregated call records only (privacy policy §3: "analysing
 * anonymised or aggregated usage patterns"): calls and minutes per destination country and month.
 * A group is shown only when at least the minimum number of distinct customers made those calls,
 * so no figure describes one customer; customers who restricted or objected are left out entirely.
 */
export class UsageAnalyticsService {
  private readonly countries = new Map<string, string>();

  constructor(private readonly deps: UsageAnalyticsDeps) {}

  get minimumGroupSize(): number {
    return this.deps.minimumGroupSize ?? 20;
  }

  /** Months `from` to `to` inclusive, each YYYY-MM. */
  async callsByDestinationCountry(from: string, to: string): Promise<UsageReport> {
    const months = monthsBetween(from, to);
    const excluded = await this.deps.excludedAccounts();
    const groups: UsageGroup[] = [];
    let suppressedGroups = 0;
    for (const month of months) {
      const [start, end] = monthBounds(month);
      const cells = await this.deps.repository.outboundUsage(start, end, excluded);
      const byCountry = new Map<string, { customers: Set<string>; calls: number; seconds: number }>();
      for (const cell of cells) {
        const country = this.countryOf(cell.destination);
        const group = byCountry.get(country) ?? { customers: new Set<string>(), calls: 0, seconds: 0 };
        group.customers.add(cell.accountId);
        group.calls += cell.calls;
        group.seconds += cell.billedSeconds;
        byCountry.set(country, group);
      }
      for (const [country, group] of [...byCountry].sort(([a], [b]) => a.localeCompare(b))) {
        if (group.customers.size < this.minimumGroupSize) {
          suppressedGroups++;
          continue;
        }
        groups.push({
          month,
          country,
          customers: group.customers.size,
          calls: group.calls,
          minutes: Math.round(group.seconds / 6) / 10,
        });
      }
    }
    return {
      from,
      to,
      minimumGroupSize: this.minimumGroupSize,
      groups,
      suppressedGroups,
      excludedCustomers: excluded.length,
    };
  }

  /** The country a number (or the first digits an anonymised record keeps) belongs to. */
  private countryOf(destination: string): string {
    const known = this.countries.get(destination);
    if (known) return known;
    let country = parsePhoneNumberFromString(destination)?.country;
    if (!country) {
      const typed = new AsYouType();
      typed.input(destination);
      const code = typed.getCallingCode();
      country = typed.getCountry() ?? (code ? (callingCodes[code]?.[0] as typeof country) : undefined);
    }
    const name = country ?? "unknown";
    if (this.countries.size < 100_000) this.countries.set(destination, name);
    return name;
  }
}

function monthsBetween(from: string, to: string): string[] {
  if (!MONTH.test(from) || !MONTH.test(to) || from > to) {
    throw new DomainError("CDR.INVALID_QUERY", "Give months as YYYY-MM, the first not after the last.");
  }
  const months: string[] = [];
  let [year, month] = from.split("-").map(Number) as [number, number];
  for (;;) {
    const label = `${year}-${String(month).padStart(2, "0")}`;
    months.push(label);
    if (label === to) return months;
    if (months.length >= MAX_MONTHS) {
      throw new DomainError("CDR.INVALID_QUERY", `Ask for at most ${MAX_MONTHS} months at a time.`);
    }
    month++;
    if (month === 13) {
      month = 1;
      year++;
    }
  }
}

function monthBounds(month: string): [string, string] {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return [new Date(Date.UTC(year, m - 1, 1)).toISOString(), new Date(Date.UTC(year, m, 1)).toISOString()];
}
