import type { CarrierRate } from "./routing.types.ts";

/**
 * A carrier's buy-rate deck in memory, for least-cost routing without a query per call. A deck can
 * hold 100,000 prefixes, so a row is not kept as an object: the prefix maps to a row number and the
 * row's numbers sit in typed arrays (about 24 bytes a row besides the prefix). Descriptions repeat
 * across many prefixes of one country or network, so equal ones share one string. The rate of a
 * match is built when asked for; callers may keep or change it.
 */
export class CarrierDeck {
  private readonly rowOf = new Map<string, number>();
  private readonly costPerMinute: Float64Array;
  private readonly connectCost: Float64Array;
  private readonly initialIncrement: Int32Array;
  private readonly subsequentIncrement: Int32Array;
  private readonly description: Array<string | null>;
  /** No number needs probing for prefixes longer than the deck's longest. */
  private readonly longestPrefix: number;

  constructor(rates: readonly CarrierRate[]) {
    const count = rates.length;
    this.costPerMinute = new Float64Array(count);
    this.connectCost = new Float64Array(count);
    this.initialIncrement = new Int32Array(count);
    this.subsequentIncrement = new Int32Array(count);
    this.description = new Array<string | null>(count);
    const descriptions = new Map<string, string>();
    let longest = 0;
    for (let row = 0; row < count; row++) {
      const rate = rates[row] as CarrierRate;
      this.rowOf.set(rate.prefix, row);
      this.costPerMinute[row] = rate.costPerMinute;
      this.connectCost[row] = rate.connectCost;
      this.initialIncrement[row] = rate.initialIncrement;
      this.subsequentIncrement[row] = rate.subsequentIncrement;
      let description = rate.description;
      if (description !== null) {
        const shared = descriptions.get(description);
        if (shared === undefined) descriptions.set(description, description);
        else description = shared;
      }
      this.description[row] = description;
      if (rate.prefix.length > longest) longest = rate.prefix.length;
    }
    this.longestPrefix = longest;
  }

  get size(): number {
    return this.rowOf.size;
  }

  /** The rate of the longest prefix of `digits` (an E.164 number without `+`), if any prefix matches. */
  longestMatch(digits: string): CarrierRate | undefined {
    for (let length = Math.min(digits.length, this.longestPrefix); length > 0; length--) {
      const prefix = digits.slice(0, length);
      const row = this.rowOf.get(prefix);
      if (row !== undefined) {
        return {
          prefix,
          costPerMinute: this.costPerMinute[row] as number,
          connectCost: this.connectCost[row] as number,
          initialIncrement: this.initialIncrement[row] as number,
          subsequentIncrement: this.subsequentIncrement[row] as number,
          description: this.description[row] as string | null,
        };
      }
    }
    return undefined;
  }
}
