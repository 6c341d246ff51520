import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { DomainError } from "../domain-error.ts";
import { CarrierDeck } from "./carrier-deck.ts";
import type { CarriersRepository } from "./carriers.repository.ts";
import { parseBuyDeck } from "./rate-deck-csv.ts";
import type { Carrier, CarrierRate, NewCarrier, RouteCandidate } from "./routing.types.ts";

export interface CarriersServiceDeps {
  repository: CarriersRepository;
  now?: () => Date;
  /**
   * How long call routing may use the carriers (their addresses, settings and buy-rate decks) it
   * read last, in ms (default 1000). Changes made through this service apply at once; changes
   * another process made (the operator CLI, another node on the same PostgreSQL) apply within this
   * time. 0 reads the carriers for every call (a deck only when it was replaced).
   */
  cacheMs?: number;
  /** Monotonic milliseconds that `cacheMs` is measured on (default `performance.now`). */
  monotonicNow?: () => number;
}

/** A carrier routing may use, with the revision of its deck read together with it. */
interface RoutableCarrier {
  carrier: Carrier;
  deckRevision: number;
}

/** The carriers as routing sees them, read at once. */
interface CarrierSnapshot {
  byId: ReadonlyMap<string, Carrier>;
  byAddress: ReadonlyMap<string, Carrier>;
  /** The enabled and reachable carriers. */
  routable: readonly RoutableCarrier[];
  readAt: number;
}

/** A deck in memory (or being read) as it was at one revision. */
interface KeptDeck {
  revision: number;
  loading: Promise<CarrierDeck>;
  /** Set once read, so calls use it without waiting a turn. */
  deck: CarrierDeck | undefined;
}

const HOST = /^[A-Za-z0-9.-]{1,253}$/;

function invalid(field: string, problem: string) {
  return new DomainError("ROUTING.INVALID_CARRIER", `${field} ${problem}`, { field });
}

/** Carriers, their buy-rate decks, and least-cost routing over them. */
export class CarriersService {
  private readonly now: () => Date;
  private readonly cacheMs: number;
  private readonly monotonicNow: () => number;
  private snapshot: CarrierSnapshot | undefined;
  private reading: Promise<CarrierSnapshot> | undefined;
  /** Bumped by every change made here, so a read that began before the change is not kept. */
  private generation = 0;
  /**
   * Decks by carrier id, kept across snapshots: a snapshot's deck revisions say which are current,
   * so a re-read of the carriers reads again only the decks that were replaced since.
   */
  private readonly decks = new Map<string, KeptDeck>();

  constructor(private readonly deps: CarriersServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.cacheMs = deps.cacheMs ?? 1000;
    this.monotonicNow = deps.monotonicNow ?? (() => performance.now());
  }

  async add(input: NewCarrier): Promise<Carrier> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw invalid("name", "must be 1 to 100 characters");
    if (!HOST.test(input.host) && !isIP(input.host))
      throw invalid("host", "must be a host name or IP address");
    const port = input.port ?? 5060;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid("port", "must be 1 to 65535");
    const transport = input.transport ?? "udp";
    if (!["udp", "tcp", "tls"].includes(transport)) throw invalid("transport", "must be udp, tcp or tls");
    const techPrefix = input.techPrefix ?? "";
    if (!/^[0-9#*]{0,10}$/.test(techPrefix)) throw invalid("techPrefix", "must be up to 10 digits");
    const stripDigits = input.stripDigits ?? 0;
    if (!Number.isInteger(stripDigits) || stripDigits < 0 || stripDigits > 10)
      throw invalid("stripDigits", "must be 0 to 10");
    const priority = input.priority ?? 100;
    if (!Number.isInteger(priority) || priority < 0 || priority > 10000)
      throw invalid("priority", "must be 0 to 10000");
    const addresses = [...new Set(input.addresses ?? [])];
    for (const address of addresses)
      if (!isIP(address)) throw invalid("addresses", `${address} is not an IP address`);
    if (await this.deps.repository.nameTaken(name)) {
      throw new DomainError("ROUTING.CARRIER_NAME_TAKEN", `A carrier named ${name} exists already.`);
    }
    const carrier: Carrier = {
      id: randomUUID(),
      name,
      host: input.host,
      port,
      transport,
      authUsername: input.authUsername ?? null,
      authPassword: input.authPassword ?? null,
      techPrefix,
      stripDigits,
      priority,
      channelLimit: input.channelLimit ?? null,
      currency: (input.currency ?? "USD").toUpperCase(),
      enabled: true,
      reachable: true,
      addresses,
    };
    await this.deps.repository.insert(carrier, this.now().toISOString());
    this.forget();
    return carrier;
  }

  list(): Promise<Carrier[]> {
    return this.deps.repository.list();
  }

  async get(id: string): Promise<Carrier> {
    const carrier = await this.deps.repository.findById(id);
    if (!carrier) throw new DomainError("ROUTING.CARRIER_NOT_FOUND", "No such carrier.");
    return carrier;
  }

  /** The carrier that sends calls from this IP address, if any (asked for every INVITE: from memory). */
  async carrierAt(address: string): Promise<Carrier | undefined> {
    return (await this.carriers()).byAddress.get(address);
  }

  /**
   * The carrier at this address from the carriers read within `cacheMs`, without waiting: "stale"
   * when they are older (a fresh read starts, and `carrierAt` waits for it).
   */
  carrierAtNow(address: string): Carrier | undefined | "stale" {
    const kept = this.freshSnapshot();
    if (kept) return kept.byAddress.get(address);
    this.carriers().catch(() => {});
    return "stale";
  }

  /** Records an OPTIONS probe: an unreachable carrier leaves routing until it answers again. */
  async recordProbe(id: string, answered: boolean): Promise<void> {
    await this.deps.repository.setReachable(id, answered, this.now().toISOString());
    this.forget();
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.get(id);
    await this.deps.repository.setEnabled(id, enabled);
    this.forget();
  }

  /** Replaces a carrier's buy-rate deck from CSV text; a bad row changes nothing. */
  async importDeck(carrierId: string, csv: string): Promise<{ imported: number }> {
    await this.get(carrierId);
    const rates = parseBuyDeck(csv);
    await this.deps.repository.replaceDeck(carrierId, rates);
    this.forget();
    return { imported: rates.length };
  }

  deck(carrierId: string): Promise<CarrierRate[]> {
    return this.deps.repository.deck(carrierId);
  }

  /**
   * Least-cost routing: for each enabled, reachable carrier the longest prefix matching the
   * number, then carriers cheapest first, priority breaking ties. Answered from memory: the
   * carriers and their decks as read within `cacheMs`.
   */
  async routesFor(e164: string): Promise<RouteCandidate[]> {
    const digits = e164.replace(/^\+/, "");
    const { routable } = await this.carriers();
    const kept = routable.map(({ carrier, deckRevision }) => this.keptDeck(carrier.id, deckRevision));
    // A replaced deck is read once, and calls meanwhile wait for that read; the others are at hand.
    const decks = kept.every((k) => k.deck !== undefined)
      ? kept.map((k) => k.deck as CarrierDeck)
      : await Promise.all(kept.map((k) => k.loading));
    const candidates: RouteCandidate[] = [];
    for (let i = 0; i < routable.length; i++) {
      const { carrier } = routable[i] as RoutableCarrier;
      const rate = (decks[i] as CarrierDeck).longestMatch(digits);
      if (!rate) continue;
      candidates.push({ carrier, rate, dialString: carrier.techPrefix + digits.slice(carrier.stripDigits) });
    }
    return candidates.sort(
      (a, b) => a.rate.costPerMinute - b.rate.costPerMinute || a.carrier.priority - b.carrier.priority,
    );
  }

  /**
   * The carrier's deck at the revision a snapshot names (or a later one), read when it is not in
   * memory yet. Callers asking while it is read share that one read.
   */
  private keptDeck(carrierId: string, revision: number): KeptDeck {
    const kept = this.decks.get(carrierId);
    if (kept && kept.revision >= revision) return kept;
    const loading = this.deps.repository.deck(carrierId).then(
      (rates) => {
        entry.deck = new CarrierDeck(rates);
        return entry.deck;
      },
      (error: unknown) => {
        if (this.decks.get(carrierId) === entry) this.decks.delete(carrierId);
        throw error;
      },
    );
    const entry: KeptDeck = { revision, loading, deck: undefined };
    this.decks.set(carrierId, entry);
    return entry;
  }

  /** The carriers as last read, read again when older than `cacheMs` or changed through this service. */
  private async carriers(): Promise<CarrierSnapshot> {
    const kept = this.freshSnapshot();
    if (kept) return kept;
    if (this.reading) return this.reading;
    const generation = this.generation;
    const reading = this.deps.repository
      .listWithDeckRevisions()
      .then((rows) => {
        const byId = new Map<string, Carrier>();
        const byAddress = new Map<string, Carrier>();
        const routable: RoutableCarrier[] = [];
        for (const row of rows) {
          const { carrier } = row;
          byId.set(carrier.id, carrier);
          // Should two carriers share an address, an enabled one answers for it.
          for (const address of carrier.addresses) {
            if (!byAddress.get(address)?.enabled) byAddress.set(address, carrier);
          }
          if (carrier.enabled && carrier.reachable) routable.push(row);
        }
        const snapshot: CarrierSnapshot = { byId, byAddress, routable, readAt: this.monotonicNow() };
        if (generation === this.generation) {
          this.snapshot = snapshot;
          this.dropUnusedDecks(byId);
        }
        return snapshot;
      })
      .finally(() => {
        if (this.reading === reading) this.reading = undefined;
      });
    this.reading = reading;
    return reading;
  }

  /** The snapshot if it was read within `cacheMs`. */
  private freshSnapshot(): CarrierSnapshot | undefined {
    const kept = this.snapshot;
    return kept && this.monotonicNow() - kept.readAt < this.cacheMs ? kept : undefined;
  }

  /**
   * Frees the decks of carriers that are gone or disabled (an operator's choice, rarely undone; the
   * deck is read again then). An unreachable carrier's deck stays, as probes bring it back often.
   */
  private dropUnusedDecks(carriers: ReadonlyMap<string, Carrier>): void {
    for (const carrierId of this.decks.keys()) {
      if (!carriers.get(carrierId)?.enabled) this.decks.delete(carrierId);
    }
  }

  private forget(): void {
    this.generation++;
    this.snapshot = undefined;
    this.reading = undefined;
  }
}
