import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { isIPv6 } from "node:net";
import { canonicalIp, ipFamily } from "./ip-address.ts";
import type { InboundHandler, LocalEndpoint, SendTarget, Transport } from "./transport.ts";
import { TransportError } from "./transport-error.ts";

export interface UdpTransportOptions {
  /** Address to bind, an IP literal; an IPv6 address (`::`) makes an IPv6 socket. */
  address: string;
  /** Port to bind; 0 lets the system pick one. Default 5060. */
  port?: number;
  /** With an IPv6 `address`, refuse IPv4 traffic (no dual stack). Default false. */
  ipv6Only?: boolean;
  /**
   * SO_RCVBUF asked for, in bytes (default 4 MiB); Linux caps it at `net.core.rmem_max`. At a few
   * thousand datagrams a second, the kernel's default (about 200 KiB) fills during a pause of tens
   * of milliseconds (a garbage collection, a database checkpoint), and every datagram dropped then
   * costs the peer a retransmission half a second later.
   */
  receiveBufferBytes?: number;
}

const DEFAULT_RECEIVE_BUFFER = 4 * 1024 * 1024;

/** The largest UDP payload an IPv4 datagram can carry (65,535 − 20 IP − 8 UDP). */
const MAX_DATAGRAM = 65_507;

/**
 * The socket's name lookup. `send` is only ever given IP literals (see `#destination`), which
 * dns.lookup would hand back unchanged one tick later, after testing them against its IPv4 and
 * IPv6 patterns again: a deferral and two regular expressions per datagram. Answering at once
 * sends the datagram in the same turn.
 */
const literalAddressLookup = ((
  address: string,
  family: number,
  callback: (error: Error | null, address: string, family: number) => void,
) => callback(null, address, family)) as unknown as typeof import("node:dns").lookup;

/**
 * SIP over UDP: one datagram is one message.
 *
 * Datagrams made only of CR and LF bytes are dropped here: phones send them as NAT
 * keep-alives over UDP, and they are not messages.
 */
export class UdpTransport implements Transport {
  readonly protocol = "udp";
  readonly reliable = false;
  readonly #options: UdpTransportOptions;
  #socket: Socket | undefined;
  #local: LocalEndpoint | undefined;
  /** Whether the bound socket is IPv6, read once: `socket.address()` is a system call. */
  #socketIsV6: boolean | undefined;
  #handler: InboundHandler | undefined;

  constructor(options: UdpTransportOptions) {
    this.#options = options;
  }

  get local(): LocalEndpoint | undefined {
    return this.#local;
  }

  /** The receive buffer the kernel granted (Linux reports twice the bytes asked, for its bookkeeping). */
  get receiveBufferSize(): number | undefined {
    return this.#socket?.getRecvBufferSize();
  }

  onMessage(handler: InboundHandler): void {
    this.#handler = handler;
  }

  async listen(): Promise<LocalEndpoint> {
    if (this.#local) return this.#local;
    const v6 = isIPv6(this.#options.address);
    const socket = createSocket({
      type: v6 ? "udp6" : "udp4",
      ipv6Only: this.#options.ipv6Only ?? false,
      recvBufferSize: this.#options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER,
      lookup: literalAddressLookup,
    });
    socket.on("message", (bytes, info) => this.#receive(bytes, info.address, info.port));
    // Listened for before bind: with an address lookup that answers at once, "listening" (or
    // "error") may be emitted within the bind call. events.once rejects when "error" (EADDRINUSE
    // ...) comes first.
    const listening = once(socket, "listening");
    socket.bind({ address: this.#options.address, port: this.#options.port ?? 5060 });
    try {
      await listening;
    } catch (error) {
      socket.close();
      throw error;
    }
    socket.on("error", () => {});
    const bound = socket.address();
    this.#socket = socket;
    this.#socketIsV6 = bound.family === "IPv6";
    this.#local = {
      protocol: "udp",
      address: canonicalIp(bound.address) ?? bound.address,
      port: bound.port,
    };
    return this.#local;
  }

  send(bytes: Uint8Array, target: SendTarget): Promise<void> {
    const socket = this.#socket;
    if (!socket) {
      return Promise.reject(new TransportError("TRANSPORT.NOT_LISTENING", "udp is not listening"));
    }
    if (bytes.length > MAX_DATAGRAM) {
      return Promise.reject(
        new TransportError(
          "TRANSPORT.DATAGRAM_TOO_LARGE",
          `${bytes.length} bytes do not fit in a UDP datagram`,
        ),
      );
    }
    const address = this.#destination(target.address);
    if (address === undefined) {
      return Promise.reject(
        new TransportError(
          "TRANSPORT.NO_ROUTE",
          `cannot reach ${target.address} from ${this.#options.address}`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      socket.send(bytes, target.port, address, (cause) => {
        if (cause) reject(new TransportError("TRANSPORT.SEND_FAILED", "udp send failed", { cause }));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#socketIsV6 = undefined;
    this.#local = undefined;
    if (!socket) return;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  /** The address in the socket's family: IPv4 on a dual-stack socket becomes IPv4-mapped IPv6. */
  #destination(host: string): string | undefined {
    const address = canonicalIp(host);
    if (address === undefined) return undefined;
    const socketIsV6 = this.#socketIsV6;
    const targetIsV6 = ipFamily(address) === 6;
    if (socketIsV6 === targetIsV6) return address;
    if (socketIsV6 && !this.#options.ipv6Only) return `::ffff:${address}`;
    return undefined;
  }

  #receive(bytes: Buffer, address: string, port: number): void {
    const local = this.#local;
    if (!local || isOnlyLineBreaks(bytes)) return;
    this.#handler?.({
      bytes,
      source: { protocol: "udp", address: canonicalIp(address) ?? address, port },
      local,
    });
  }
}

function isOnlyLineBreaks(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x0d && b !== 0x0a) return false;
  return true;
}
