import http from "node:http";
import https from "node:https";
import { BlockList, isIPv4 } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from "fastify";

/** The servers and where browsers reach HTTPS; plain-HTTP requests from elsewhere are sent there. */
export interface HttpsOptions {
  servers: DualServers;
  /** The HTTPS port browsers use: the redirect target of plain-HTTP requests from other machines. */
  port: number;
  /** Host name or address in those redirects (the configured public host, never the request's Host). */
  publicHost: string;
}

/**
 * One Fastify app answering on two servers: HTTPS (the app's own `server`) and plain HTTP beside
 * it, sharing one request handler. Plain HTTP is for this machine (a one-machine start, a proxy on
 * loopback) and health probes; {@link redirectPlainHttp} sends every other plain request to HTTPS.
 */
export class DualServers {
  private plainServer: http.Server | undefined;
  private plainClosed: Promise<void> | undefined;

  constructor(private readonly tls: { cert: string; key: string }) {}

  /** For `Fastify({ serverFactory })`. */
  readonly serverFactory = (handler: http.RequestListener, options: FastifyServerOptions): https.Server => {
    this.plainServer = http.createServer(handler);
    const secure = https.createServer({ cert: this.tls.cert, key: this.tls.key }, handler);
    for (const server of [this.plainServer, secure]) {
      server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
      server.requestTimeout = options.requestTimeout ?? 0;
    }
    return secure;
  };

  /** The plain-HTTP server; exists once the app is built. */
  get plain(): http.Server {
    if (!this.plainServer) throw new Error("the app has not built its servers yet");
    return this.plainServer;
  }

  /** Starts plain HTTP; call after `app.listen` has started HTTPS. */
  listenPlain(host: string, port: number): Promise<void> {
    const server = this.plain;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  }

  /**
   * Stops plain HTTP taking connections and ends its idle ones, as Fastify does for its own server
   * (`forceCloseConnections: "idle"`); requests in flight finish. Wire it to the app's `preClose`.
   */
  stopAccepting(): void {
    const server = this.plainServer;
    if (!server?.listening || this.plainClosed) return;
    this.plainClosed = new Promise((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
  }

  /** Resolves when plain HTTP has stopped and its last request was answered. */
  async closed(): Promise<void> {
    await this.plainClosed;
  }

  closeAllConnections(): void {
    this.plainServer?.closeAllConnections();
  }
}

const THIS_MACHINE = new BlockList();
THIS_MACHINE.addSubnet("127.0.0.0", 8, "ipv4");
THIS_MACHINE.addAddress("::1", "ipv6");

/** Whether an address is this machine's loopback (IPv4-mapped IPv6 included). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  return THIS_MACHINE.check(plain, isIPv4(plain) ? "ipv4" : "ipv6");
}

/** Paths plain HTTP always answers: load balancers and monitoring probe without TLS. */
const PLAIN_PATHS = new Set(["/healthz", "/metrics"]);

/**
 * An onRequest hook for an app serving HTTPS: a plain-HTTP request from another machine gets a
 * 308 to the same path over HTTPS, so no password, cookie or personal data crosses the network in
 * clear. The client address is `request.ip`, so a trusted proxy's X-Forwarded-For is what counts.
 */
export function redirectPlainHttp(options: Pick<HttpsOptions, "port" | "publicHost">) {
  const host = options.publicHost.includes(":") ? `[${options.publicHost}]` : options.publicHost;
  const origin = options.port === 443 ? `https://${host}` : `https://${host}:${options.port}`;
  return async function plainHttpGate(request: FastifyRequest, reply: FastifyReply) {
    if (request.protocol !== "http" || isLoopback(request.ip)) return;
    if (PLAIN_PATHS.has(request.url.split("?")[0] ?? "")) return;
    return reply.redirect(`${origin}${request.url}`, 308);
  };
}

/** Registers the dual servers' shutdown with the app's. */
export function closeWithApp(app: FastifyInstance, servers: DualServers): void {
  app.addHook("preClose", async () => servers.stopAccepting());
  app.addHook("onClose", async () => servers.closed());
}
