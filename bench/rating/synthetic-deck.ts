/**
 * A reproducible retail deck and numbers to rate against it: prefixes of 2 to 8 digits grouped
 * under a few hundred country codes, as real A-Z decks are, and numbers of 11 or 12 digits of
 * which most fall under some prefix.
 */

/** mulberry32: small, fast and good enough to spread prefixes. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function digits(random: () => number, count: number): string {
  let text = "";
  for (let i = 0; i < count; i++) text += Math.floor(random() * 10);
  return text;
}

export function syntheticPrefixes(count: number, seed = 1): string[] {
  const random = seededRandom(seed);
  const countries = Array.from(
    { length: 240 },
    () => String(1 + Math.floor(random() * 9)) + digits(random, Math.floor(random() * 3)),
  );
  const prefixes = new Set<string>(countries);
  while (prefixes.size < count) {
    const country = countries[Math.floor(random() * countries.length)] as string;
    prefixes.add(country + digits(random, 1 + Math.floor(random() * 5)));
  }
  return [...prefixes].slice(0, count);
}

export function syntheticNumbers(prefixes: readonly string[], count: number, seed = 2): string[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const length = 11 + Math.floor(random() * 2);
    const base =
      random() < 0.9
        ? (prefixes[Math.floor(random() * prefixes.length)] as string)
        : String(1 + Math.floor(random() * 9));
    return (base + digits(random, length)).slice(0, Math.max(length, base.length));
  });
}

/** The deck as CSV in the import format, `rows` rows (some prefixes with a second, later row). */
export function syntheticDeckCsv(rows: number, seed = 3): string {
  const random = seededRandom(seed);
  const prefixes = syntheticPrefixes(Math.ceil(rows * 0.9), seed);
  const lines = ["prefix,price_per_minute,connect_fee,initial_increment,subsequent_increment,effective_from"];
  for (let i = 0; i < rows; i++) {
    const later = i >= prefixes.length;
    const prefix = prefixes[later ? i - prefixes.length : i] as string;
    const price = (0.001 + random() * 0.5).toFixed(4);
    const [initial, subsequent] = [
      [60, 60],
      [30, 6],
      [1, 1],
    ][i % 3] as [number, number];
    lines.push(`${prefix},${price},0,${initial},${subsequent},${later ? "2027-01-01T00:00:00Z" : ""}`);
  }
  return `${lines.join("\n")}\n`;
}
