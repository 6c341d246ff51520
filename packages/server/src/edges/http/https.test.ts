import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { TLSSocket } from "node:tls";
import { Registry } from "prom-client";
import { loadOrCreateCertificate, type TlsMaterial } from "../../config/tls-certificate.ts";
import { createLogger } from "../../logging/logger.ts";
import { freePort } from "../../testing/free-port.ts";
import { buildHttpApp } from "./app.ts";
import { DualServers, isLoopback } from "./https.ts";
import { STRICT_TRANSPORT_SECURITY } from "./security-headers.ts";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  peerCertificate?: string;
}

function get(url: string, options: { ca?: string; headers?: Record<string, string> } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const secure = url.startsWith("https:");
    const request = (secure ? https : http).get(
      url,
      { headers: options.headers, ...(secure ? { ca: options.ca, agent: false } : { agent: false }) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const socket = response.socket as TLSSocket;
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ...(secure ? { peerCertificate: socket.getPeerX509Certificate?.()?.fingerprint256 } : {}),
          });
        });
      },
    );
    request.on("error", reject);
  });
}

async function startApp(tls: TlsMaterial, trustProxy: string[]) {
  const servers = new DualServers(tls);
  const httpsPort = await freePort();
  const httpPort = await freePort();
  const app = buildHttpApp({
    logger: createLogger({ level: "silent", format: "json", destination: new PassThrough() }),
    metrics: new Registry(),
    databaseReady: async () => true,
    https: { servers, port: httpsPort, publicHost: "voip.example.net" },
    trustProxy,
  });
  app.get("/api/whoami", async (request) => ({ ip: request.ip, protocol: request.protocol }));
  await app.listen({ host: "127.0.0.1", port: httpsPort });
  await servers.listenPlain("127.0.0.1", httpPort);
  return { app, https: `https://127.0.0.1:${httpsPort}`, http: `http://127.0.0.1:${httpPort}`, httpsPort };
}

describe("HTTPS with plain HTTP beside it, on loopback", () => {
  let tls: TlsMaterial;
  let direct: Awaited<ReturnType<typeof startApp>>;
  let proxied: Awaited<ReturnType<typeof startApp>>;
  let untrusting: Awaited<ReturnType<typeof startApp>>;

  before(async () => {
    tls = await loadOrCreateCertificate({
      dataDir: mkdtempSync(join(tmpdir(), "zq-https-")),
      publicHost: "voip.example.net",
    });
    direct = await startApp(tls, []);
    proxied = await startApp(tls, ["127.0.0.1"]);
    untrusting = await startApp(tls, ["192.0.2.10", "10.0.0.0/8"]);
  });
  after(async () => {
    await Promise.all([direct.app.close(), proxied.app.close(), untrusting.app.close()]);
  });

  test("when a client connects over TLS, then it gets the server's certificate, the page and HSTS", async () => {
    const answer = await get(`${direct.https}/healthz`, { ca: tls.cert });
    assert.equal(answer.status, 200);
    assert.equal(answer.peerCertificate, new X509Certificate(tls.cert).fingerprint256);
    assert.equal(answer.headers["strict-transport-security"], STRICT_TRANSPORT_SECURITY);
    assert.equal(answer.headers["x-content-type-options"], "nosniff");
  });

  test("when a client does not trust the certificate, then the TLS handshake fails", async () => {
    await assert.rejects(get(`${direct.https}/healthz`), /self-signed|unable to verify|self signed/i);
  });

  test("when this machine asks over plain HTTP, then it is served without HSTS", async () => {
    const answer = await get(`${direct.http}/api/whoami`);
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { ip: "127.0.0.1", protocol: "http" });
    assert.equal(answer.headers["strict-transport-security"], undefined);
    assert.equal(answer.headers["x-content-type-options"], "nosniff");
  });

  test("when a trusted proxy forwards a browser's HTTPS request, then its address and protocol count and HSTS is sent", async () => {
    const answer = await get(`${proxied.http}/api/whoami`, {
      headers: { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" },
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { ip: "203.0.113.7", protocol: "https" });
    assert.equal(answer.headers["strict-transport-security"], STRICT_TRANSPORT_SECURITY);
  });

  test("when a trusted proxy forwards a plain-HTTP request from elsewhere, then it is redirected to HTTPS", async () => {
    const answer = await get(`${proxied.http}/api/whoami?x=1`, {
      headers: { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "http" },
    });
    assert.equal(answer.status, 308);
    assert.equal(answer.headers.location, `https://voip.example.net:${proxied.httpsPort}/api/whoami?x=1`);
    assert.equal(answer.headers["strict-transport-security"], undefined);
  });

  test("when a peer that is not a trusted proxy forges X-Forwarded headers, then they are ignored", async () => {
    const answer = await get(`${untrusting.http}/api/whoami`, {
      headers: { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" },
    });
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.body), { ip: "127.0.0.1", protocol: "http" });
    assert.equal(answer.headers["strict-transport-security"], undefined);
  });

  test("when a health probe comes over plain HTTP from elsewhere, then it is answered, not redirected", async () => {
    const answer = await get(`${proxied.http}/healthz`, {
      headers: { "x-forwarded-for": "198.51.100.1", "x-forwarded-proto": "http" },
    });
    assert.equal(answer.status, 200);
  });
});

describe("loopback addresses", () => {
  test("when an address is this machine's, then it is loopback; others are not", () => {
    for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
      assert.ok(isLoopback(address), address);
    }
    for (const address of ["10.0.0.1", "203.0.113.7", "::ffff:203.0.113.7", "2001:db8::1", undefined]) {
      assert.ok(!isLoopback(address), String(address));
    }
  });
});
