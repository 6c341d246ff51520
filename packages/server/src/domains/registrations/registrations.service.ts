import { randomUUID } from "node:crypto";
import { type Executor, GroupCommit } from "../../db/write-transaction.ts";
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

/** One REGISTER's writes, and the device's live bindings after them. */
interface RegistrationPlan {
  removeAll: boolean;
  removed: string[];
  upserted: RegistrationRow[];
  live: RegistrationRow[];
}

/**
 * The location service: which contacts each device is reachable at. Bindings live in the
 * database so every node can reach every registered phone.
 */
export class RegistrationsService {
  readonly policy: RegistrarPolicy;
  private readonly now: () => Date;
  private readonly writes: GroupCommit<RegisterRequest, Binding[]>;

  constructor(private readonly deps: RegistrationsServiceDeps) {
    this.policy = { ...DEFAULT_REGISTRAR_POLICY, ...deps.policy };
    this.now = deps.now ?? (() => new Date());
    this.writes = new GroupCommit({
      transaction: (work) => this.deps.repository.transaction(work),
      run: (request, tx) => this.write(request, tx),
      // Refusals (out of order, too many contacts) are decided before the REGISTER writes anything.
      isRefusal: (error) => error instanceof DomainError,
      // The phone waits for its 200 a few milliseconds more; a busy registrar commits once per batch.
      collectMs: 3,
    });
  }

  /**
   * Adds, refreshes and removes the bindings of one REGISTER, all or nothing, and returns the
   * device's live bindings after it. Resolves once the change is committed.
   *
   * REGISTERs that arrive together are written in one transaction (group commit, see GroupCommit):
   * a phone's REGISTER waits at most for the transaction in flight and its own, and the 200 OK is
   * sent only once its binding is committed. Each REGISTER is decided on the bindings as the ones
   * before it in the batch left them; a refused one writes nothing.
   *
   * @remarks RFC 3261 §10.3 step 7: "If the binding does exist, the registrar checks the Call-ID
   * value. If the Call-ID value in the existing binding differs from the Call-ID value in the
   * request, the binding MUST be removed if the expiration time is zero and updated otherwise. If
   * they are the same, the registrar compares the CSeq value. If the value is higher than that of
   * the existing binding, it MUST update or remove the binding as above. If not, the update MUST
   * be aborted and the request fails."
   */
  register(request: RegisterRequest): Promise<Binding[]> {
    const { minExpires } = this.policy;
    if (request.contacts !== "*") {
      for (const contact of request.contacts) {
        if (contact.expires > 0 && contact.expires < minExpires) {
          return Promise.reject(
            new DomainError(
              "REGISTRATION.INTERVAL_TOO_BRIEF",
              `Registrations must last at least ${minExpires} seconds.`,
              { minExpires },
            ),
          );
        }
      }
    }
    return this.writes.submit(request);
  }

  /** One REGISTER inside a batch's transaction: decided on the bindings as they are now, then written. */
  private async write(request: RegisterRequest, tx: Executor): Promise<Binding[]> {
    const now = this.now();
    const existing = await this.deps.repository.listByDevice(request.deviceId, tx);
    const plan = this.plan(request, existing, now);
    if (plan.removeAll) await this.deps.repository.removeAllForDevice(request.deviceId, tx);
    for (const uri of plan.removed) await this.deps.repository.remove(request.deviceId, uri, tx);
    for (const row of plan.upserted) await this.deps.repository.upsert(row, tx);
    return plan.live.map((row) => toBinding(row, now));
  }

  /** What one REGISTER changes, decided before anything is written; throws when it is refused. */
  private plan(request: RegisterRequest, existing: readonly RegistrationRow[], now: Date): RegistrationPlan {
    const { maxExpires, maxContactsPerDevice } = this.policy;
    const byUri = new Map(existing.map((row) => [row.contact_uri, row]));
    const outOfOrder = (row: RegistrationRow | undefined) =>
      row !== undefined && row.call_id === request.callId && request.cseq <= row.cseq;
    if (request.contacts === "*") {
      if (existing.some(outOfOrder)) throw outOfOrderError();
      return { removeAll: true, removed: [], upserted: [], live: [] };
    }
    const removed: string[] = [];
    const upserted = new Map<string, RegistrationRow>();
    const nowIso = now.toISOString();
    for (const contact of request.contacts) {
      const current = byUri.get(contact.uri);
      if (outOfOrder(current)) throw outOfOrderError();
      if (contact.expires === 0) {
        if (current) removed.push(contact.uri);
        upserted.delete(contact.uri);
        byUri.delete(contact.uri);
        continue;
      }
      const expiresAt = new Date(now.getTime() + Math.min(contact.expires, maxExpires) * 1000).toISOString();
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
        created_at: current?.created_at ?? nowIso,
        updated_at: nowIso,
      };
      upserted.set(contact.uri, row);
      byUri.set(contact.uri, row);
    }
    const live = [...byUri.values()].filter((row) => row.expires_at > nowIso);
    if (live.length > maxContactsPerDevice) {
      throw new DomainError(
        "REGISTRATION.TOO_MANY_CONTACTS",
        `A device may register at most ${maxContactsPerDevice} contacts.`,
        { max: maxContactsPerDevice },
      );
    }
    return { removeAll: false, removed, upserted: [...upserted.values()], live };
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
