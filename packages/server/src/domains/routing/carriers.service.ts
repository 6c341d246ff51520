import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { DomainError } from "../domain-error.ts";
import type { CarriersRepository } from "./carriers.repository.ts";
import { parseBuyDeck } from "./rate-deck-csv.ts";
import type { Carrier, CarrierRate, NewCarrier, RouteCandidate } from "./routing.types.ts";

export interface CarriersServiceDeps {
  repository: CarriersRepository;
  now?: () => Date;
  /**
   * How long call routing may use the carriers (their addresses and settings) it read last, in ms
   * (default 1000). Changes made through this service apply at once; changes another process made
   * (the operator CLI, another node on the same PostgreSQL) apply within this time. 0 reads the
   * database for every call.
   */
  cacheMs?: number;
}

/** The carriers as routing sees them, read at once. */
interface CarrierSnapshot {
  byId: ReadonlyMap<string, Carrier>;
  byAddress: ReadonlyMap<string, Carrier>;
  readAt: number;
}

const HOST = /^[A-Za-z0-9.-]{1,253}$/;

function invalid(field: string, problem: string) {
  return new DomainError("ROUTING.INVALID_CARRIER", `${field} ${problem}`, { field });
}

/** Carriers, their buy-rate decks, and least-cost routing over them. */
export class CarriersService {
  private readonly now: () => Date;
  private readonly cacheMs: number;
  private snapshot: CarrierSnapshot | undefined;
  private reading: Promise<CarrierSnapshot> | undefined;
  /** Bumped by every change made here, so a read that began before the change is not kept. */
  private generation = 0;

  constructor(private readonly deps: CarriersServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.cacheMs = deps.cacheMs ?? 1000;
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
    return { imported: rates.length };
  }

  deck(carrierId: string): Promise<CarrierRate[]> {
    return this.deps.repository.deck(carrierId);
  }

  /**
   * Least-cost routing: for each enabled, reachable carrier the longest prefix matching the
   * number, then carriers cheapest first, priority breaking ties.
   */
  async routesFor(e164: string): Promise<RouteCandidate[]> {
    const digits = e164.replace(/^\+/, "");
    const prefixes = Array.from({ length: digits.length }, (_, i) => digits.slice(0, i + 1));
    const matches = await this.deps.repository.routesMatching(prefixes);
    const longest = new Map<string, CarrierRate>();
    for (const { carrierId, rate } of matches) {
      const best = longest.get(carrierId);
      if (!best || rate.prefix.length > best.prefix.length) longest.set(carrierId, rate);
    }
    if (longest.size === 0) return [];
    const carriers = (await this.carriers()).byId;
    const candidates: RouteCandidate[] = [];
    for (const [carrierId, rate] of longest) {
      const carrier = carriers.get(carrierId);
      if (!carrier) continue;
      candidates.push({ carrier, rate, dialString: carrier.techPrefix + digits.slice(carrier.stripDigits) });
    }
    return candidates.sort(
      (a, b) => a.rate.costPerMinute - b.rate.costPerMinute || a.carrier.priority - b.carrier.priority,
    );
  }

  /** The carriers as last read, read again when older than `cacheMs` or changed through this service. */
  private async carriers(): Promise<CarrierSnapshot> {
    const kept = this.freshSnapshot();
    if (kept) return kept;
    if (this.reading) return this.reading;
    const generation = this.generation;
    const reading = this.deps.repository
      .list()
      .then((list) => {
        const byAddress = new Map<string, Carrier>();
        // Should two carriers share an address, an enabled one answers for it.
        for (const carrier of list) {
          for (const address of carrier.addresses) {
            if (!byAddress.get(address)?.enabled) byAddress.set(address, carrier);
          }
        }
        const snapshot: CarrierSnapshot = {
          byId: new Map(list.map((carrier) => [carrier.id, carrier])),
          byAddress,
          readAt: Date.now(),
        };
        if (generation === this.generation) this.snapshot = snapshot;
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
    return kept && Date.now() - kept.readAt < this.cacheMs ? kept : undefined;
  }

  private forget(): void {
    this.generation++;
    this.snapshot = undefined;
    this.reading = undefined;
  }
}
