import { createSocket, type Socket, type SocketType } from "node:dgram";
import { MediaError } from "./media-error.ts";
import type { PortPool } from "./port-pool.ts";

/**
 * Two bound UDP sockets facing one phone: RTP on an even port, RTCP on the next one. Each has a
 * listener that ignores socket errors from its bind onwards (an error concerns one datagram;
 * without a listener it would end the process), so users add and remove only 'message' listeners.
 */
export interface SocketPair {
  readonly rtp: Socket;
  readonly rtcp: Socket;
  /** The RTP port; RTCP is one higher. */
  readonly port: number;
}

export interface SocketPairOptions {
  readonly pool: PortPool;
  /** The IP literal to bind. */
  readonly address: string;
  readonly type: SocketType;
  /** SO_RCVBUF for each socket; the kernel default when absent. */
  readonly receiveBufferBytes?: number;
}

/**
 * Binds the next free pair of the pool. A pair another process holds is skipped (and goes back
 * to the end of the queue), so the relay shares a range with other software without failing.
 *
 * @throws MediaError `MEDIA.PORTS_EXHAUSTED` when no pair of the range can be bound,
 *   `MEDIA.BIND_FAILED` when the address itself cannot be bound.
 */
export async function bindSocketPair(options: SocketPairOptions): Promise<SocketPair> {
  const { pool } = options;
  const attempts = Math.max(1, pool.available);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = pool.take();
    try {
      const rtp = await bindSocket(options, port);
      try {
        const rtcp = await bindSocket(options, port + 1);
        return { rtp, rtcp, port };
      } catch (error) {
        rtp.close();
        throw error;
      }
    } catch (error) {
      pool.give(port);
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") {
        throw new MediaError("MEDIA.BIND_FAILED", `cannot bind ${options.address}:${port}`, { cause: error });
      }
    }
  }
  throw new MediaError(
    "MEDIA.PORTS_EXHAUSTED",
    `no RTP/RTCP port pair of ${pool.portMin}-${pool.portMax} could be bound on ${options.address}`,
  );
}

/** Closes both sockets and returns their ports to the pool. */
export function closeSocketPair(pair: SocketPair, pool: PortPool): void {
  pair.rtp.close();
  pair.rtcp.close();
  pool.give(pair.port);
}

function bindSocket(options: SocketPairOptions, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({
      type: options.type,
      lookup: passLiteral,
      ...(options.receiveBufferBytes === undefined ? {} : { recvBufferSize: options.receiveBufferBytes }),
    });
    const onError = (error: Error) => {
      socket.close();
      reject(error);
    };
    socket.once("error", onError);
    socket.bind({ address: options.address, port, exclusive: true }, () => {
      socket.off("error", onError);
      socket.on("error", ignoreDatagramError);
      resolve(socket);
    });
  });
}

function ignoreDatagramError(): void {}

/**
 * Every address the relay binds or sends to is an IP literal checked beforehand, so name
 * resolution is skipped: Node's default lookup would defer each datagram by a tick.
 */
function passLiteral(
  address: string,
  _options: unknown,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  callback(null, address, address.includes(":") ? 6 : 4);
}
