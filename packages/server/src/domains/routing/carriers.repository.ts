import type { Kysely, Selectable } from "kysely";
import type { CarrierRoutesTable, CarriersTable, Database } from "../../db/schema.ts";
import type { Carrier, CarrierRate } from "./routing.types.ts";

const INSERT_BATCH = 500;

function toCarrier(row: Selectable<CarriersTable>, addresses: string[]): Carrier {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    transport: row.transport,
    authUsername: row.auth_username,
    authPassword: row.auth_password,
    techPrefix: row.tech_prefix,
    stripDigits: row.strip_digits,
    priority: row.priority,
    channelLimit: row.channel_limit,
    currency: row.currency,
    enabled: row.enabled === 1,
    reachable: row.reachable === 1,
    addresses,
  };
}

function toRate(row: Selectable<CarrierRoutesTable>): CarrierRate {
  return {
    prefix: row.prefix,
    costPerMinute: Number(row.cost_per_minute),
    connectCost: Number(row.connect_cost),
    initialIncrement: row.initial_increment,
    subsequentIncrement: row.subsequent_increment,
    description: row.description,
  };
}

export class CarriersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(carrier: Carrier, createdAt: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto("carriers")
        .values({
          id: carrier.id,
          name: carrier.name,
          host: carrier.host,
          port: carrier.port,
          transport: carrier.transport,
          auth_username: carrier.authUsername,
          auth_password: carrier.authPassword,
          tech_prefix: carrier.techPrefix,
          strip_digits: carrier.stripDigits,
          priority: carrier.priority,
          channel_limit: carrier.channelLimit,
          currency: carrier.currency,
          enabled: carrier.enabled ? 1 : 0,
          reachable: carrier.reachable ? 1 : 0,
          probed_at: null,
          created_at: createdAt,
          deck_revision: 0,
        })
        .execute();
      if (carrier.addresses.length > 0) {
        await tx
          .insertInto("carrier_addresses")
          .values(carrier.addresses.map((address) => ({ carrier_id: carrier.id, address })))
          .execute();
      }
    });
  }

  async nameTaken(name: string): Promise<boolean> {
    return (
      (await this.db.selectFrom("carriers").select("id").where("name", "=", name).executeTakeFirst()) !==
      undefined
    );
  }

  async list(): Promise<Carrier[]> {
    return (await this.listWithDeckRevisions()).map(({ carrier }) => carrier);
  }

  /** Every carrier with its deck's revision, which changes whenever the deck is replaced. */
  async listWithDeckRevisions(): Promise<Array<{ carrier: Carrier; deckRevision: number }>> {
    const rows = await this.db.selectFrom("carriers").selectAll().orderBy("name").execute();
    const addresses = await this.db.selectFrom("carrier_addresses").selectAll().execute();
    return rows.map((row) => ({
      carrier: toCarrier(
        row,
        addresses.filter((a) => a.carrier_id === row.id).map((a) => a.address),
      ),
      deckRevision: Number(row.deck_revision),
    }));
  }

  async findById(id: string): Promise<Carrier | undefined> {
    return (await this.list()).find((carrier) => carrier.id === id);
  }

  async findByAddress(address: string): Promise<Carrier | undefined> {
    const row = await this.db
      .selectFrom("carrier_addresses")
      .select("carrier_id")
      .where("address", "=", address)
      .executeTakeFirst();
    return row && this.findById(row.carrier_id);
  }

  async setReachable(id: string, reachable: boolean, probedAt: string): Promise<void> {
    await this.db
      .updateTable("carriers")
      .set({ reachable: reachable ? 1 : 0, probed_at: probedAt })
      .where("id", "=", id)
      .execute();
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.db
      .updateTable("carriers")
      .set({ enabled: enabled ? 1 : 0 })
      .where("id", "=", id)
      .execute();
  }

  /** Replaces a carrier's whole deck and bumps its revision, in one transaction. */
  async replaceDeck(carrierId: string, rates: readonly CarrierRate[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("carriers")
        .set((eb) => ({ deck_revision: eb("deck_revision", "+", 1) }))
        .where("id", "=", carrierId)
        .execute();
      await tx.deleteFrom("carrier_routes").where("carrier_id", "=", carrierId).execute();
      for (let i = 0; i < rates.length; i += INSERT_BATCH) {
        await tx
          .insertInto("carrier_routes")
          .values(
            rates.slice(i, i + INSERT_BATCH).map((rate) => ({
              carrier_id: carrierId,
              prefix: rate.prefix,
              cost_per_minute: rate.costPerMinute,
              connect_cost: rate.connectCost,
              initial_increment: rate.initialIncrement,
              subsequent_increment: rate.subsequentIncrement,
              description: rate.description,
            })),
          )
          .execute();
      }
    });
  }

  async deck(carrierId: string): Promise<CarrierRate[]> {
    const rows = await this.db
      .selectFrom("carrier_routes")
      .selectAll()
      .where("carrier_id", "=", carrierId)
      .orderBy("prefix")
      .execute();
    return rows.map(toRate);
  }
}
