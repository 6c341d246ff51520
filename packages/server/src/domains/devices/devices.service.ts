import { randomInt, randomUUID } from "node:crypto";
import type { AccountsService } from "../accounts/accounts.service.ts";
import { DomainError } from "../domain-error.ts";
import { ShortLivedCache } from "../short-lived-cache.ts";
import type { DevicesRepository } from "./devices.repository.ts";
import type { Device, DeviceCredentials, ProvisionedDevice } from "./devices.types.ts";
import { digestHa1 } from "./digest-ha1.ts";

export interface DevicesServiceDeps {
  repository: DevicesRepository;
  accounts: AccountsService;
  /** The SIP realm credentials are made for (the platform's SIP domain). */
  realm: string;
  maxDevicesPerAccount?: number;
  now?: () => Date;
  /**
   * How long the registrar and call admission reuse a device's digest hashes (ms, default 1000).
   * A device added or removed through this service applies at once; through another node, within
   * this time.
   */
  cacheMs?: number;
}

// Unambiguous characters only: passwords are typed into phone keypads and web forms.
const PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const PASSWORD_LENGTH = 20;
/** Generated user names are `zq` and 8 digits; longer names are looked up but not cached. */
const MAX_CACHED_USERNAME = 32;

function generatePassword(): string {
  let password = "";
  for (let i = 0; i < PASSWORD_LENGTH; i++)
    password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}

export class DevicesService {
  private readonly now: () => Date;
  private readonly maxDevices: number;
  private readonly recent: ShortLivedCache<string, DeviceCredentials | undefined>;

  constructor(private readonly deps: DevicesServiceDeps) {
    this.recent = new ShortLivedCache({ ttlMs: deps.cacheMs ?? 1000, maxEntries: 50_000 });
    this.now = deps.now ?? (() => new Date());
    this.maxDevices = deps.maxDevicesPerAccount ?? 50;
  }

  /** Adds a SIP device with a generated user name and password; the password is in the result only. */
  async provision(accountId: string, label?: string): Promise<ProvisionedDevice> {
    await this.deps.accounts.get(accountId);
    if ((await this.deps.repository.countByAccount(accountId)) >= this.maxDevices) {
      throw new DomainError(
        "DEVICE.LIMIT_REACHED",
        `An account may have at most ${this.maxDevices} devices.`,
      );
    }
    let username = "";
    do username = `zq${randomInt(10_000_000, 100_000_000)}`;
    while (await this.deps.repository.usernameTaken(username));
    const password = generatePassword();
    const device: Device = {
      id: randomUUID(),
      accountId,
      username,
      realm: this.deps.realm,
      label: label ?? null,
      createdAt: this.now().toISOString(),
    };
    await this.deps.repository.insert({
      ...device,
      ha1Md5: digestHa1("md5", username, this.deps.realm, password),
      ha1Sha256: digestHa1("sha256", username, this.deps.realm, password),
    });
    this.recent.forget(username);
    return { ...device, password };
  }

  list(accountId: string): Promise<Device[]> {
    return this.deps.repository.listByAccount(accountId);
  }

  /**
   * Removes a phone: its credentials stop working at once on this node (on another, within
   * `cacheMs`) and its registrations go. Call records that name it keep its id. Another account's
   * device is "not found", never touched.
   */
  async remove(accountId: string, deviceId: string): Promise<void> {
    if (!(await this.deps.repository.deleteForAccount(accountId, deviceId))) {
      throw new DomainError("DEVICE.NOT_FOUND", "No device has that id.");
    }
    this.recent.clear();
  }

  /** The stored digest hashes for a SIP user name, for the registrar and call admission. */
  credentials(username: string): Promise<DeviceCredentials | undefined> {
    // User names come from requests anyone can send: only names that could be ours are kept, so
    // a stream of made-up long names cannot fill memory.
    if (username.length > MAX_CACHED_USERNAME) return this.deps.repository.credentials(username);
    return this.recent.get(username, () => this.deps.repository.credentials(username));
  }
}
