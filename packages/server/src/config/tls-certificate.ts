import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface TlsMaterial {
  cert: string;
  key: string;
  /** True when Zaqros made the certificate itself. */
  selfSigned: boolean;
}

/**
 * The certificate for HTTPS, SIP over TLS and WSS: the operator's files when configured,
 * otherwise a self-signed one made on first start for the public host and kept in the data dir,
 * so phones that pinned it keep working after a restart.
 */
export async function loadOrCreateCertificate(options: {
  dataDir: string;
  publicHost: string;
  certFile?: string | undefined;
  keyFile?: string | undefined;
}): Promise<TlsMaterial> {
  if (options.certFile && options.keyFile) {
    return {
      cert: readFileSync(options.certFile, "utf8"),
      key: readFileSync(options.keyFile, "utf8"),
      selfSigned: false,
    };
  }
  const dir = join(options.dataDir, "tls");
  const certPath = join(dir, "self-signed.crt");
  const keyPath = join(dir, "self-signed.key");
  try {
    return { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8"), selfSigned: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const host = options.publicHost;
  const altNames = [
    isIP(host) ? { type: 7 as const, ip: host } : { type: 2 as const, value: host },
    { type: 2 as const, value: "localhost" },
    { type: 7 as const, ip: "127.0.0.1" },
  ];
  const now = new Date();
  const pems = await generate([{ name: "commonName", value: host }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 825 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, selfSigned: true };
}
