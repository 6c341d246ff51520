import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { once } from "node:events";

export interface ReceivedPacket {
  readonly data: Buffer;
  readonly from: RemoteInfo;
}

/** A UDP socket on 127.0.0.1 (or ::1) that stands in for a phone's RTP or RTCP port in tests. */
export class TestPhone {
  readonly #socket: Socket;
  readonly #address: string;
  readonly #queue: ReceivedPacket[] = [];
  readonly #waiters: ((packet: ReceivedPacket) => void)[] = [];

  private constructor(socket: Socket, address: string) {
    this.#socket = socket;
    this.#address = address;
    socket.on("message", (data, from) => {
      const packet = { data, from };
      const waiter = this.#waiters.shift();
      if (waiter) waiter(packet);
      else this.#queue.push(packet);
    });
  }

  static async open(address = "127.0.0.1"): Promise<TestPhone> {
    const socket = createSocket(address.includes(":") ? "udp6" : "udp4");
    socket.bind(0, address);
    await once(socket, "listening");
    return new TestPhone(socket, address);
  }

  get port(): number {
    return this.#socket.address().port;
  }

  /** Sends and waits until the datagram left the socket. */
  async send(data: Uint8Array, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.#socket.send(data, port, this.#address, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** The next packet that arrives, or a rejection after `timeoutMs`. */
  next(timeoutMs = 2000): Promise<ReceivedPacket> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (packet: ReceivedPacket) => {
        clearTimeout(timer);
        resolve(packet);
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no packet reached port ${this.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Packets that arrived and were not taken yet (after letting the event loop run `settleMs`). */
  async drain(settleMs = 50): Promise<ReceivedPacket[]> {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return this.#queue.splice(0);
  }

  close(): void {
    this.#socket.close();
  }
}

/** An RTP packet: version 2, payload type 0 (PCMU) unless told, `payloadBytes` of silence. */
export function rtpPacket(options: {
  seq: number;
  ssrc?: number;
  payloadType?: number;
  timestamp?: number;
  payloadBytes?: number;
}): Buffer {
  const packet = Buffer.alloc(12 + (options.payloadBytes ?? 160), 0xff);
  packet[0] = 0x80;
  packet[1] = (options.payloadType ?? 0) & 0x7f;
  packet.writeUInt16BE(options.seq & 0xffff, 2);
  packet.writeUInt32BE((options.timestamp ?? options.seq * 160) >>> 0, 4);
  packet.writeUInt32BE((options.ssrc ?? 0x1234abcd) >>> 0, 8);
  return packet;
}

/** An RTCP receiver report with no report blocks. */
export function rtcpReceiverReport(ssrc = 0x1234abcd): Buffer {
  const packet = Buffer.alloc(8);
  packet[0] = 0x80;
  packet[1] = 201;
  packet.writeUInt16BE(1, 2);
  packet.writeUInt32BE(ssrc, 4);
  return packet;
}

/** An audio offer or answer from a phone at `address`, receiving RTP on `port`. */
export function audioSdp(options: {
  address?: string;
  port: number;
  rtcpPort?: number;
  direction?: "sendrecv" | "sendonly" | "recvonly" | "inactive";
  extraMediaLines?: string[];
}): string {
  const address = options.address ?? "127.0.0.1";
  const ipVersion = address.includes(":") ? "IP6" : "IP4";
  return [
    "v=0",
    `o=phone 1000 1 IN ${ipVersion} ${address}`,
    "s=-",
    `c=IN ${ipVersion} ${address}`,
    "t=0 0",
    `m=audio ${options.port} RTP/AVP 0 101`,
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-16",
    ...(options.rtcpPort === undefined ? [] : [`a=rtcp:${options.rtcpPort}`]),
    `a=${options.direction ?? "sendrecv"}`,
    ...(options.extraMediaLines ?? []),
    "",
  ].join("\r\n");
}
