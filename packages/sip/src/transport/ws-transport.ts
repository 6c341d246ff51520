import { once } from "node:events";
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { defaultMaxMessageSize } from "../message/limits.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionLimits } from "./connection-limits.ts";
import { ConnectionTransport } from "./connection-transport.ts";
import { canonicalIp } from "./ip-address.ts";
import type { TlsSettings } from "./socket-transport.ts";
import type { Endpoint, LocalEndpoint } from "./transport.ts";
import { WebSocketConnection } from "./websocket-connection.ts";

/** The WebSocket subprotocol for SIP. */
const SIP_SUBPROTOCOL = "sip";

export interface WsTransportOptions extends ConnectionLimits {
  /**
   * An HTTP(S) server to share (upgrade requests for `path` are taken, others left alone).
   * It is not closed by `close()`. Without it, the transport runs its own server on
   * `address:port`.
   */
  server?: HttpServer;
  /** Address to bind the transport's own server. */
  address?: string;
  /** Port of the transport's own server; 0 lets the system pick. Default 80 (WS) or 443 (WSS). */
  port?: number;
  /** Only upgrades for this request path are taken; any path when absent. */
  path?: string;
  /** Request path used when this transport opens a connection. Default `/`. */
  dialPath?: string;
  /** WSS: the certificate for the transport's own server and trust settings for connections it opens. */
  tls?: TlsSettings;
}

/**
 * SIP over WebSocket (RFC 7118), plain (`ws`) or over TLS (`wss`).
 *
 * @remarks RFC 7118 §4.1: "The WebSocket Client MUST include the value "sip" in the
 * Sec-WebSocket-Protocol header in its handshake request. The 101 reply from the Server MUST
 * contain "sip" in its corresponding Sec-WebSocket-Protocol header." A handshake that does
 * not offer "sip" is refused with HTTP 400 rather than accepted without a subprotocol.
 */
export class WsTransport extends ConnectionTransport {
  readonly protocol: "ws" | "wss";
  readonly #options: WsTransportOptions;
  readonly #wss: WebSocketServer;
  #server: HttpServer | undefined;
  readonly #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    this.#upgrade(request, socket, head);

  constructor(protocol: "ws" | "wss", options: WsTransportOptions) {
    super(options);
    this.protocol = protocol;
    this.#options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageSize ?? defaultMaxMessageSize,
      clientTracking: false,
      perMessageDeflate: false,
      handleProtocols: (offered) => (offered.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    });
  }

  protected async startListening(): Promise<LocalEndpoint> {
    let server = this.#options.server;
    if (!server) {
      if (this.protocol === "wss" && !this.#options.tls)
        throw new Error("wss needs tls.server (certificate and key)");
      server =
        this.protocol === "wss" && this.#options.tls
          ? createHttpsServer(this.#options.tls.server)
          : createHttpServer();
      server.maxConnections = this.limits.maxConnections;
      server.on("request", (_request, response) => response.writeHead(426, { Upgrade: "websocket" }).end());
      server.on("clientError", (_error, socket) => socket.destroy());
      server.listen({
        host: this.#options.address,
        port: this.#options.port ?? (this.protocol === "wss" ? 443 : 80),
      });
      await once(server, "listening");
      server.on("error", () => {});
      this.#server = server;
    } else if (!server.listening) {
      await once(server, "listening");
    }
    server.on("upgrade", this.#onUpgrade);
    const bound = server.address();
    if (bound === null || typeof bound === "string") throw new Error("server has no IP address");
    return {
      protocol: this.protocol,
      address: canonicalIp(bound.address) ?? bound.address,
      port: bound.port,
    };
  }

  protected async stopListening(): Promise<void> {
    (this.#server ?? this.#options.server)?.off("upgrade", this.#onUpgrade);
    const own = this.#server;
    this.#server = undefined;
    if (!own) return;
    own.closeAllConnections();
    await new Promise<void>((resolve) => own.close(() => resolve()));
  }

  protected async dial(remote: Endpoint, signal: AbortSignal): Promise<Connection> {
    const local = this.local;
    if (!local) throw new Error("not listening");
    const host = remote.address.includes(":") ? `[${remote.address}]` : remote.address;
    const url = `${this.protocol}://${host}:${remote.port}${this.#options.dialPath ?? "/"}`;
    const socket = new WebSocket(url, SIP_SUBPROTOCOL, {
      ...this.#options.tls?.client,
      maxPayload: this.#options.maxMessageSize ?? defaultMaxMessageSize,
      perMessageDeflate: false,
      handshakeTimeout: this.limits.connectTimeoutMs,
    });
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: unknown) => {
        socket.off("open", onOpen);
        socket.off("error", settle);
        signal.removeEventListener("abort", onAbort);
        if (error === undefined) {
          resolve();
        } else {
          socket.terminate();
          reject(error);
        }
      };
      const onOpen = () =>
        socket.protocol === SIP_SUBPROTOCOL
          ? settle()
          : settle(new Error("server did not accept subprotocol sip"));
      const onAbort = () => settle(signal.reason ?? new Error("aborted"));
      socket.once("open", onOpen);
      socket.once("error", settle);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return new WebSocketConnection(
      socket,
      { ...this.limits, protocol: this.protocol, accepted: false, remote, local },
      this.events,
    );
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#options.path !== undefined && pathOf(request) !== this.#options.path) return;
    const local = this.local;
    if (!local || !this.hasRoom() || !offersSip(request)) {
      const status = local && this.hasRoom() ? "400 Bad Request" : "503 Service Unavailable";
      socket.once("finish", () => socket.destroy());
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const address = request.socket.remoteAddress ?? "";
    const remote = { address: canonicalIp(address) ?? address, port: request.socket.remotePort ?? 0 };
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      if (!this.local || !this.hasRoom()) {
        ws.terminate();
        return;
      }
      this.admit(
        new WebSocketConnection(
          ws,
          { ...this.limits, protocol: this.protocol, accepted: true, remote, local },
          this.events,
        ),
      );
    });
  }
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}

function offersSip(request: IncomingMessage): boolean {
  const header = request.headers["sec-websocket-protocol"];
  if (header === undefined) return false;
  return header.split(",").some((token) => token.trim() === SIP_SUBPROTOCOL);
}

/** SIP over plain WebSocket (RFC 7118, Via transport `WS`). */
export function createWsTransport(options: WsTransportOptions): WsTransport {
  return new WsTransport("ws", options);
}

/** SIP over secure WebSocket (RFC 7118, Via transport `WSS`). */
export function createWssTransport(options: WsTransportOptions): WsTransport {
  return new WsTransport("wss", options);
}
