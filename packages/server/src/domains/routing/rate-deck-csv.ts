import { parse } from "csv-parse/sync";
import { DomainError } from "../domain-error.ts";
import { parseMicros } from "../money.ts";
import type { CarrierRate } from "./routing.types.ts";

const REQUIRED = ["prefix", "cost_per_minute"] as const;
const OPTIONAL = ["connect_cost", "initial_increment", "subsequent_increment", "description"] as const;
export const BUY_DECK_COLUMNS = [...REQUIRED, ...OPTIONAL] as const;

function deckError(line: number, problem: string): DomainError {
  return new DomainError("ROUTING.INVALID_DECK", `Line ${line}: ${problem}`, { line, problem });
}

function increment(value: string | undefined, line: number, column: string): number {
  if (value === undefined || value === "") return 1;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1) {
    throw deckError(line, `${column} must be a whole number of seconds from 1 to 9999, not "${value}"`);
  }
  return Number(value);
}

/**
 * Reads a carrier buy-rate deck: a header row, then `prefix,cost_per_minute` and optionally
 * `connect_cost,initial_increment,subsequent_increment,description`. Prices are decimal strings in
 * the carrier's currency per minute, increments in seconds. Any bad row fails the whole deck
 * with an error naming its line.
 */
export function parseBuyDeck(text: string): CarrierRate[] {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false, bom: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    throw deckError(line, `the file is not valid CSV (${(error as Error).message.split(":")[0]})`);
  }
  const header = records[0]?.map((h) => h.toLowerCase());
  if (!header) throw deckError(1, "the file is empty; it needs a header row");
  for (const column of REQUIRED) {
    if (!header.includes(column)) throw deckError(1, `the header row lacks the column ${column}`);
  }
  for (const column of header) {
    if (!(BUY_DECK_COLUMNS as readonly string[]).includes(column)) {
      throw deckError(1, `unknown column ${column}; columns are ${BUY_DECK_COLUMNS.join(", ")}`);
    }
  }
  const seen = new Set<string>();
  const rates: CarrierRate[] = [];
  for (let i = 1; i < records.length; i++) {
    const line = i + 1;
    const row = Object.fromEntries(header.map((name, index) => [name, records[i]?.[index]]));
    const prefix = row.prefix ?? "";
    if (!/^\d{1,15}$/.test(prefix)) throw deckError(line, `prefix must be 1 to 15 digits, not "${prefix}"`);
    if (seen.has(prefix)) throw deckError(line, `prefix ${prefix} appears twice`);
    seen.add(prefix);
    const costPerMinute = parseMicros(row.cost_per_minute ?? "");
    if (costPerMinute === undefined) {
      throw deckError(
        line,
        `cost_per_minute must be a non-negative decimal such as 0.0125, not "${row.cost_per_minute}"`,
      );
    }
    const connectCost = row.connect_cost ? parseMicros(row.connect_cost) : 0;
    if (connectCost === undefined)
      throw deckError(line, `connect_cost must be a non-negative decimal, not "${row.connect_cost}"`);
    rates.push({
      prefix,
      costPerMinute,
      connectCost,
      initialIncrement: increment(row.initial_increment, line, "initial_increment"),
      subsequentIncrement: increment(row.subsequent_increment, line, "subsequent_increment"),
      description: row.description ? row.description.slice(0, 200) : null,
    });
  }
  return rates;
}
