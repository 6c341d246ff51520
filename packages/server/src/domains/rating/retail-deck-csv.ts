import { parse } from "csv-parse/sync";
import { DomainError } from "../domain-error.ts";
import { formatMicros, parseMicros } from "../money.ts";
import { parseInstant, SINCE_ALWAYS } from "./instant.ts";
import type { RetailRate } from "./rating.types.ts";

const REQUIRED = [
  "prefix",
  "price_per_minute",
  "connect_fee",
  "initial_increment",
  "subsequent_increment",
] as const;
const OPTIONAL = ["effective_from", "minimum_charge"] as const;
export const RETAIL_DECK_COLUMNS = [...REQUIRED, ...OPTIONAL] as const;
type Column = (typeof RETAIL_DECK_COLUMNS)[number];

const MAX_INCREMENT = 3600;

function deckError(line: number, problem: string): DomainError {
  return new DomainError("RATING.INVALID_DECK", `Line ${line}: ${problem}`, { line, problem });
}

function money(value: string, line: number, column: Column, emptyIs?: number): number {
  if (value === "" && emptyIs !== undefined) return emptyIs;
  const micros = parseMicros(value);
  if (micros === undefined) {
    throw deckError(line, `${column} must be a non-negative decimal such as 0.0125, not "${value}"`);
  }
  return micros;
}

function increment(value: string, line: number, column: Column): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_INCREMENT) {
    throw deckError(
      line,
      `${column} must be a whole number of seconds from 1 to ${MAX_INCREMENT}, not "${value}"`,
    );
  }
  return Number(value);
}

/**
 * Reads a retail rate deck: a header row naming `prefix,price_per_minute,connect_fee,
 * initial_increment,subsequent_increment` and optionally `effective_from` (ISO-8601; empty means
 * in effect since always) and `minimum_charge`, in any order. Prices are decimal strings in the
 * plan's currency, increments whole seconds. Any bad row fails the whole deck with an error that
 * names its line (counting the header as line 1).
 */
export function parseRetailDeck(text: string): RetailRate[] {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    throw deckError(line, `the file is not valid CSV (${(error as Error).message.split(":")[0]})`);
  }
  const header = records[0]?.map((h) => h.toLowerCase());
  if (!header) throw deckError(1, "the file is empty; it needs a header row");
  for (const column of header) {
    if (!(RETAIL_DECK_COLUMNS as readonly string[]).includes(column)) {
      throw deckError(1, `unknown column ${column}; columns are ${RETAIL_DECK_COLUMNS.join(", ")}`);
    }
  }
  for (const column of REQUIRED) {
    if (!header.includes(column)) throw deckError(1, `the header row lacks the column ${column}`);
  }
  const index = Object.fromEntries(RETAIL_DECK_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<
    Column,
    number
  >;
  const firstLineOf = new Map<string, number>();
  const rates: RetailRate[] = new Array(records.length - 1);
  for (let i = 1; i < records.length; i++) {
    const line = i + 1;
    const record = records[i] as string[];
    const cell = (column: Column) => (index[column] < 0 ? "" : (record[index[column]] ?? ""));
    const prefix = cell("prefix");
    if (!/^\d{1,15}$/.test(prefix)) throw deckError(line, `prefix must be 1 to 15 digits, not "${prefix}"`);
    const effectiveText = cell("effective_from");
    const effectiveFrom = effectiveText === "" ? SINCE_ALWAYS : parseInstant(effectiveText);
    if (effectiveFrom === undefined) {
      throw deckError(
        line,
        `effective_from must be an ISO-8601 date or date-time with a zone such as 2026-12-01T00:00:00Z, not "${effectiveText}"`,
      );
    }
    const key = `${prefix}@${effectiveFrom}`;
    const earlier = firstLineOf.get(key);
    if (earlier !== undefined) {
      throw deckError(line, `prefix ${prefix} with the same effective_from is on line ${earlier} already`);
    }
    firstLineOf.set(key, line);
    rates[i - 1] = {
      prefix,
      effectiveFrom,
      pricePerMinute: money(cell("price_per_minute"), line, "price_per_minute"),
      connectFee: money(cell("connect_fee"), line, "connect_fee", 0),
      initialIncrement: increment(cell("initial_increment"), line, "initial_increment"),
      subsequentIncrement: increment(cell("subsequent_increment"), line, "subsequent_increment"),
      minimumCharge: money(cell("minimum_charge"), line, "minimum_charge", 0),
    };
  }
  return rates;
}

/** Writes a deck in the format parseRetailDeck reads, every column present; rows since always leave effective_from empty. */
export function formatRetailDeck(rates: readonly RetailRate[]): string {
  const lines = [RETAIL_DECK_COLUMNS.join(",")];
  for (const rate of rates) {
    lines.push(
      [
        rate.prefix,
        formatMicros(rate.pricePerMinute),
        formatMicros(rate.connectFee),
        rate.initialIncrement,
        rate.subsequentIncrement,
        rate.effectiveFrom === SINCE_ALWAYS ? "" : rate.effectiveFrom,
        formatMicros(rate.minimumCharge),
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}
