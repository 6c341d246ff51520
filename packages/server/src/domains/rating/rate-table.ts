import type { RetailRate } from "./rating.types.ts";

interface Version {
  readonly from: number;
  readonly rate: RetailRate;
}

const RADIX = 10;
const NO_ROWS = -1;

/**
 * A plan's deck in memory for longest-prefix matching: a digit trie in flat typed arrays (node `n`'s
 * child for digit `d` is `children[n * 10 + d]`, 0 meaning none), which walks a number in one pass
 * without allocating. Each prefix keeps its rows oldest first; the row in effect at an instant is
 * the newest one that had started by then.
 */
export class RateTable {
  private readonly children: Int32Array;
  /** Per node, an index into `versions`, or NO_ROWS. */
  private readonly rowsAt: Int32Array;
  private readonly versions: Version[][];
  readonly size: number;

  constructor(rates: readonly RetailRate[]) {
    const children: number[] = new Array(RADIX).fill(0);
    const rowsAt: number[] = [NO_ROWS];
    const versions: Version[][] = [];
    for (const rate of rates) {
      let node = 0;
      for (let i = 0; i < rate.prefix.length; i++) {
        const slot = node * RADIX + rate.prefix.charCodeAt(i) - 48;
        let next = children[slot] as number;
        if (next === 0) {
          next = rowsAt.length;
          rowsAt.push(NO_ROWS);
          for (let d = 0; d < RADIX; d++) children.push(0);
          children[slot] = next;
        }
        node = next;
      }
      const version = { from: Date.parse(rate.effectiveFrom), rate };
      const at = rowsAt[node] as number;
      if (at === NO_ROWS) {
        rowsAt[node] = versions.length;
        versions.push([version]);
      } else {
        (versions[at] as Version[]).push(version);
      }
    }
    for (const list of versions) if (list.length > 1) list.sort((a, b) => a.from - b.from);
    this.children = Int32Array.from(children);
    this.rowsAt = Int32Array.from(rowsAt);
    this.versions = versions;
    this.size = rates.length;
  }

  /**
   * The row for the longest prefix of `digits` (an E.164 number without `+`) that has a row in
   * effect at `atMs` (epoch milliseconds), or undefined when no prefix matches.
   */
  lookup(digits: string, atMs: number): RetailRate | undefined {
    let node = 0;
    let best: RetailRate | undefined;
    for (let i = 0; i < digits.length; i++) {
      const digit = digits.charCodeAt(i) - 48;
      if (digit < 0 || digit >= RADIX) break;
      node = this.children[node * RADIX + digit] as number;
      if (node === 0) break;
      const at = this.rowsAt[node] as number;
      if (at === NO_ROWS) continue;
      const list = this.versions[at] as Version[];
      for (let v = list.length - 1; v >= 0; v--) {
        const version = list[v] as Version;
        if (version.from <= atMs) {
          best = version.rate;
          break;
        }
      }
    }
    return best;
  }
}
