import type { Kysely, Selectable } from "kysely";
import { queryTemplate } from "../../db/query-template.ts";
import type { Database, DevicesTable } from "../../db/schema.ts";
import type { Device, DeviceCredentials } from "./devices.types.ts";

const deviceByUsername = queryTemplate(1, (db, username: string) =>
  db.selectFrom("devices").selectAll().where("username", "=", username),
);

const toDevice = (row: Selectable<DevicesTable>): Device => ({
  id: row.id,
  accountId: row.account_id,
  username: row.username,
  realm: row.realm,
  label: row.label,
  createdAt: row.created_at,
});

export class DevicesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(device: Device & { ha1Md5: string; ha1Sha256: string }): Promise<void> {
    await this.db
      .insertInto("devices")
      .values({
        id: device.id,
        account_id: device.accountId,
        username: device.username,
        realm: device.realm,
        ha1_md5: device.ha1Md5,
        ha1_sha256: device.ha1Sha256,
        label: device.label,
        created_at: device.createdAt,
      })
      .execute();
  }

  async listByAccount(accountId: string): Promise<Device[]> {
    const rows = await this.db
      .selectFrom("devices")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("created_at")
      .execute();
    return rows.map(toDevice);
  }

  async countByAccount(accountId: string): Promise<number> {
    const row = await this.db
      .selectFrom("devices")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("account_id", "=", accountId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Asked for every authenticated SIP request: built once (queryTemplate). */
  async credentials(username: string): Promise<DeviceCredentials | undefined> {
    const [row] = await deviceByUsername(this.db, username);
    return (
      row && {
        deviceId: row.id,
        accountId: row.account_id,
        username: row.username,
        realm: row.realm,
        ha1Md5: row.ha1_md5,
        ha1Sha256: row.ha1_sha256,
      }
    );
  }

  /** Deletes one of the account's devices (its registrations go with it); false when it has none by that id. */
  async deleteForAccount(accountId: string, deviceId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("devices")
      .where("id", "=", deviceId)
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async usernameTaken(username: string): Promise<boolean> {
    const row = await this.db
      .selectFrom("devices")
      .select("id")
      .where("username", "=", username)
      .executeTakeFirst();
    return row !== undefined;
  }
}
