import { createSocket } from "node:dgram";
import { createServer } from "node:net";

function udpPort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, address, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function tcpFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
}

/** A UDP port on `address` that was free a moment ago (SIPp's signalling and media sockets). */
export function freeUdpPort(address: string): Promise<number> {
  return udpPort(address);
}

/**
 * A port free on `address` for UDP and TCP, whose next `extraTcp` ports are free for TCP too
 * (Zaqros listens for SIP on UDP and TCP on one port, and for TLS on the next).
 */
export async function freeSipPort(address: string, extraTcp = 0): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await udpPort(address);
    if (port + extraTcp > 65535) continue;
    let free = true;
    for (let offset = 0; offset <= extraTcp && free; offset++) free = await tcpFree(address, port + offset);
    if (free) return port;
  }
  throw new Error(`no free SIP port on ${address}`);
}

/** A TCP port on `address` that was free a moment ago. */
export async function freeTcpPort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, address, () => {
      const bound = server.address();
      server.close(() =>
        typeof bound === "object" && bound ? resolve(bound.port) : reject(new Error("no port")),
      );
    });
  });
}
