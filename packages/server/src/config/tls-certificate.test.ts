import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadOrCreateCertificate } from "./tls-certificate.ts";

test("when no certificate is configured, then one is made for the public host and reused after a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "zq-tls-"));
  const first = await loadOrCreateCertificate({ dataDir, publicHost: "voip.example.net" });
  const again = await loadOrCreateCertificate({ dataDir, publicHost: "voip.example.net" });
  assert.equal(again.cert, first.cert);
  assert.ok(first.selfSigned);
  const x509 = new X509Certificate(first.cert);
  assert.ok(x509.checkHost("voip.example.net"));
  assert.ok(x509.checkIP("127.0.0.1"));
  assert.ok(new Date(x509.validTo).getTime() > Date.now() + 365 * 24 * 3600 * 1000);
  assert.equal(statSync(join(dataDir, "tls", "self-signed.key")).mode & 0o777, 0o600, "the key is private");
});
