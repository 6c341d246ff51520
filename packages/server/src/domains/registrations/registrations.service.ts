import { randomUUID } from "node:crypto";
import { DomainError } from "../domain-error.ts";
import type { RegistrationRow, RegistrationsRepository } from "./registrations.repository.ts";
import type { Binding, RegisterRequest, RegistrarPolicy } from "./registrations.types.ts";

export interface RegistrationsServiceDeps {
  repository: RegistrationsRepository;
  policy?: Partial<RegistrarPolicy>;
  now?: () => Date;
}

export const DEFAULT_REGISTRAR_POLICY: RegistrarPolicy = {
  minExpires: 60,
  maxExpires: 3600,
  maxContactsPerDevice: 10,
};

/**
 * The location service: which contacts each device is reachable at. Bindings live in the
 * database so every node can reach every registered phone.
 */
export class RegistrationsService {
  readonly policy: RegistrarPolicy;
  private readonly now: () => Date;

  constructor(private readonly deps: RegistrationsServiceDeps) {
    this.policy = { ...DEFAULT_REGISTRAR_POLICY, ...deps.policy };
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Adds, refreshes and removes the bindings of one REGISTER, all or nothing.
   *
   * @remarks RFC 3261 §10.3 step 7: "If the binding does exist, the registrar checks the Call-ID
   * value. If the Call-ID value in the existing binding differs from the Call-ID value in the
   * request, the binding MUST be removed if the expiration time is zero and updated otherwise. If
   * they are the same, the registrar compares the CSeq value. If the value is higher than that of
   * the existing binding, it MUST update or remove the binding as above. If not, the update MUST
   * be aborted and the request fails."
   */
  async register(request: RegisterRequest): Promise<Binding[]> {
    const { minExpires, maxExpires, maxContactsPerDevice } = this.policy;
    if (request.contacts !== "*") {
      for (const contact of request.contacts) {
        if (contact.expires > 0 && contact.expires < minExpires) {
          throw new DomainError(
            "REGISTRATION.INTERVAL_TOO_BRIEF",
            `Registrations must last at least ${minExpires} seconds.`,
            { minExpires },
          );
        }
      }
    }
    const now = this.now();
    await this.deps.repository.transaction(async (tx) => {
      const existing = await this.deps.repository.listByDevice(request.deviceId, tx);
      const byUri = new Map(existing.map((row) => [row.contact_uri, row]));
      const outOfOrder = (row: RegistrationRow | undefined) =>
        row !== undefined && row.call_id === request.callId && request.cseq <= row.cseq;

      if (request.contacts === "*") {
        if (existing.some(outOfOrder)) throw outOfOrderError();
        await this.deps.repository.removeAllForDevice(request.deviceId, tx);
        return;
      }
      for (const contact of request.contacts) {
        const current = byUri.get(contact.uri);
        if (outOfOrder(current)) throw outOfOrderError();
        if (contact.expires === 0) {
          await this.deps.repository.remove(request.deviceId, contact.uri, tx);
          byUri.delete(contact.uri);
          continue;
        }
        const expiresAt = new Date(
          now.getTime() + Math.min(contact.expires, maxExpires) * 1000,
        ).toISOString();
        const row: RegistrationRow = {
          id: current?.id ?? randomUUID(),
          device_id: request.deviceId,
          account_id: request.accountId,
          contact_uri: contact.uri,
          source_transport: request.source.transport,
          source_address: request.source.address,
          source_port: request.source.port,
          connection_id: request.source.connectionId ?? null,
          node_id: request.nodeId,
          call_id: request.callId,
          cseq: request.cseq,
          q: contact.q,
          user_agent: request.userAgent?.slice(0, 200) ?? null,
          expires_at: expiresAt,
          created_at: current?.created_at ?? now.toISOString(),
          updated_at: now.toISOString(),
        };
        await this.deps.repository.upsert(row, tx);
        byUri.set(contact.uri, row);
      }
      const live = [...byUri.values()].filter((row) => row.expires_at > now.toISOString());
      if (live.length > maxContactsPerDevice) {
        throw new DomainError(
          "REGISTRATION.TOO_MANY_CONTACTS",
          `A device may register at most ${maxContactsPerDevice} contacts.`,
          { max: maxContactsPerDevice },
        );
      }
    });
    return this.bindingsForDevice(request.deviceId);
  }

  /** The device's live bindings (what a 200 OK to REGISTER lists). */
  async bindingsForDevice(deviceId: string): Promise<Binding[]> {
    const now = this.now();
    const rows = await this.deps.repository.listByDevice(deviceId);
    return rows.filter((row) => row.expires_at > now.toISOString()).map((row) => toBinding(row, now));
  }

  /** Every live contact of every device of an account, most preferred first: who rings for the account's numbers. */
  async contactsForAccount(accountId: string): Promise<Binding[]> {
    const now = this.now();
    const rows = await this.deps.repository.listLiveByAccount(accountId, now.toISOString());
    return rows.map((row) => toBinding(row, now));
  }

  /** Deletes bindings whose time has passed; returns how many. */
  purgeExpired(): Promise<number> {
    return this.deps.repository.removeExpired(this.now().toISOString());
  }
}

function outOfOrderError() {
  return new DomainError(
    "REGISTRATION.OUT_OF_ORDER",
    "A newer registration from this phone was already processed.",
  );
}

function toBinding(row: RegistrationRow, now: Date): Binding {
  return {
    deviceId: row.device_id,
    accountId: row.account_id,
    contactUri: row.contact_uri,
    source: {
      transport: row.source_transport,
      address: row.source_address,
      port: row.source_port,
      connectionId: row.connection_id ?? undefined,
    },
    nodeId: row.node_id,
    q: row.q,
    expiresAt: row.expires_at,
    expiresIn: Math.max(0, Math.round((Date.parse(row.expires_at) - now.getTime()) / 1000)),
  };
}
