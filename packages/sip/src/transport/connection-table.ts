import type { Connection } from "./connection.ts";
import type { Endpoint, TransportProtocol } from "./transport.ts";

/**
 * The open connections of one transport, found by id (the flow a message arrived on) or by
 * the far end's address, port and protocol.
 *
 * @remarks RFC 3261 §18: "These connections are indexed by the tuple formed from the
 * address, port, and transport protocol at the far end of the connection. When a connection
 * is opened by the transport layer, this index is set to the destination IP, port and
 * transport. When the connection is accepted by the transport layer, this index is set to
 * the source IP address, port number, and transport."
 */
export class ConnectionTable {
  readonly #byId = new Map<string, Connection>();
  /** Several connections may share a far end; the most recent one is used for sending. */
  readonly #byRemote = new Map<string, Connection[]>();

  get size(): number {
    return this.#byId.size;
  }

  add(connection: Connection): void {
    this.#byId.set(connection.id, connection);
    const key = remoteKey(connection.remote.protocol, connection.remote);
    const list = this.#byRemote.get(key);
    if (list) list.push(connection);
    else this.#byRemote.set(key, [connection]);
  }

  remove(connection: Connection): void {
    if (this.#byId.get(connection.id) !== connection) return;
    this.#byId.delete(connection.id);
    const key = remoteKey(connection.remote.protocol, connection.remote);
    const list = this.#byRemote.get(key);
    if (!list) return;
    const rest = list.filter((c) => c !== connection);
    if (rest.length === 0) this.#byRemote.delete(key);
    else this.#byRemote.set(key, rest);
  }

  byId(id: string): Connection | undefined {
    const connection = this.#byId.get(id);
    return connection?.open ? connection : undefined;
  }

  /** The most recently added open connection to that far end. */
  byRemote(protocol: TransportProtocol, remote: Endpoint): Connection | undefined {
    const list = this.#byRemote.get(remoteKey(protocol, remote));
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const connection = list[i];
      if (connection?.open) return connection;
    }
    return undefined;
  }

  all(): Connection[] {
    return [...this.#byId.values()];
  }
}

function remoteKey(protocol: TransportProtocol, remote: Endpoint): string {
  return `${protocol}|${remote.address}|${remote.port}`;
}
