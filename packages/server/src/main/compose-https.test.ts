import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import type { TLSSocket } from "node:tls";
import { loadConfig } from "../config/config.ts";
import { createLogger } from "../logging/logger.ts";
import { freePort } from "../testing/free-port.ts";
import { composePlatform } from "./compose.ts";

function getOverTls(url: string, ca: string) {
  return new Promise<{ status: number; hsts: unknown; fingerprint: string | undefined }>(
    (resolve, reject) => {
      https
        .get(url, { ca, agent: false }, (response) => {
          response.resume();
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              hsts: response.headers["strict-transport-security"],
              fingerprint: (response.socket as TLSSocket).getPeerX509Certificate?.()?.fingerprint256,
            }),
          );
        })
        .on("error", reject);
    },
  );
}

test("when the platform starts, then HTTPS serves the self-signed certificate made on first start, the same one after a restart, and plain HTTP answers this machine", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "zq-https-platform-"));
  const env = {
    ZAQROS_DATA_DIR: dataDir,
    ZAQROS_HTTP_PORT: String(await freePort()),
    ZAQROS_HTTPS_PORT: String(await freePort()),
    ZAQROS_SIP_PORT: String(await freePort()),
    ZAQROS_SIP_TLS_PORT: String(await freePort()),
  };
  const logger = createLogger({ level: "warn", format: "json", destination: new PassThrough() });
  const fingerprints: Array<string | undefined> = [];
  for (const round of [1, 2]) {
    const platform = await composePlatform(loadConfig({ env }), { logger });
    try {
      const { portalUrl, httpsUrl } = await platform.start();
      assert.equal(httpsUrl, `https://127.0.0.1:${env.ZAQROS_HTTPS_PORT}/`);
      assert.equal(portalUrl, `http://127.0.0.1:${env.ZAQROS_HTTP_PORT}/`, "this machine may use plain HTTP");
      const cert = readFileSync(join(dataDir, "tls", "self-signed.crt"), "utf8");
      const secure = await getOverTls(`${httpsUrl}healthz`, cert);
      assert.equal(secure.status, 200);
      assert.match(String(secure.hsts), /^max-age=31536000/);
      fingerprints.push(secure.fingerprint);
      assert.equal(secure.fingerprint, new X509Certificate(cert).fingerprint256, `round ${round}`);
      const plain = await fetch(`${portalUrl}healthz`);
      assert.equal(plain.status, 200);
      assert.equal(plain.headers.get("strict-transport-security"), null);
    } finally {
      await platform.stop();
    }
  }
  assert.equal(fingerprints[0], fingerprints[1], "the certificate is reused after a restart");
});
