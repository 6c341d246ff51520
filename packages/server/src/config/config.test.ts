import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ConfigError, describeConfig, effectiveHttpsPort, loadConfig } from "./config.ts";
import { CONFIG_KEYS } from "./config-keys.ts";

describe("configuration", () => {
  test("when nothing is set, then every key has its one-machine default", () => {
    const config = loadConfig({ env: {}, cwd: "/srv/zaqros" });
    assert.equal(config.dataDir, "/srv/zaqros/data");
    assert.equal(config.httpPort, 8080);
    assert.equal(config.sipPort, 5060);
    assert.deepEqual(config.rtpPorts, { low: 20000, high: 29999 });
    assert.equal(config.databaseUrl, undefined);
    assert.ok(Object.isFrozen(config));
  });

  test("when the HTTP port is not a number, then loading fails naming ZAQROS_HTTP_PORT", () => {
    assert.throws(
      () => loadConfig({ env: { ZAQROS_HTTP_PORT: "notaport" } }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.key === "ZAQROS_HTTP_PORT" &&
        /must be a number/.test(error.message),
    );
  });

  for (const [env, value, problem] of [
    ["ZAQROS_SIP_PORT", "70000", /between 1 and 65535/],
    ["ZAQROS_RTP_PORTS", "30000-20000", /range of ports/],
    ["ZAQROS_RTP_PORTS", "20001-29999", /even port/],
    ["ZAQROS_PUBLIC_HOST", "bad host!", /host name or an IP/],
    ["DATABASE_URL", "mysql://x", /postgres/],
    ["ZAQROS_LOG_LEVEL", "loud", /one of/],
    ["ZAQROS_SECRET", "short", /at least 32/],
    ["ZAQROS_HTTPS_PORT", "on", /port number between 1 and 65535, or off/],
    ["ZAQROS_TRUST_PROXY", "10.0.0.1,proxy.example", /"proxy\.example" is neither/],
    ["ZAQROS_TRUST_PROXY", "10.0.0.0/33", /addresses or CIDRs/],
  ] as const) {
    test(`when ${env}=${value}, then loading fails naming ${env}`, () => {
      assert.throws(
        () => loadConfig({ env: { [env]: value } }),
        (error: unknown) => error instanceof ConfigError && error.key === env && problem.test(error.message),
      );
    });
  }

  test("when HTTPS is not configured, then it is on 8443 beside 8080, or next to a moved HTTP port; off turns it off", () => {
    assert.equal(effectiveHttpsPort(loadConfig({ env: {} })), 8443);
    assert.equal(effectiveHttpsPort(loadConfig({ env: { ZAQROS_HTTP_PORT: "9000" } })), 9001);
    assert.equal(effectiveHttpsPort(loadConfig({ env: { ZAQROS_HTTPS_PORT: "443" } })), 443);
    assert.equal(effectiveHttpsPort(loadConfig({ env: { ZAQROS_HTTPS_PORT: "off" } })), undefined);
  });

  test("when trusted proxies are listed, then addresses, CIDRs and range names are kept in order; unset trusts none", () => {
    const config = loadConfig({
      env: { ZAQROS_TRUST_PROXY: " 10.0.0.5, 192.168.0.0/16,::1,fd00::/8,loopback " },
    });
    assert.deepEqual(config.trustProxy, ["10.0.0.5", "192.168.0.0/16", "::1", "fd00::/8", "loopback"]);
    assert.deepEqual(loadConfig({ env: {} }).trustProxy, []);
  });

  test("when a secret is wrong, then the error does not repeat the secret", () => {
    assert.throws(
      () => loadConfig({ env: { ZAQROS_SECRET: "hunter2" } }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes("hunter2"),
    );
  });

  test("when a config file sets a key, then it applies unless the environment overrides it", () => {
    const dir = mkdtempSync(join(tmpdir(), "zq-config-"));
    const file = join(dir, "zaqros.json");
    writeFileSync(file, JSON.stringify({ ZAQROS_HTTP_PORT: 9090, ZAQROS_SIP_PORT: "5070" }));
    const config = loadConfig({ env: { ZAQROS_CONFIG_FILE: file, ZAQROS_SIP_PORT: "5080" } });
    assert.equal(config.httpPort, 9090);
    assert.equal(config.sipPort, 5080);
  });

  test("when the config file names an unknown key, then loading fails naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "zq-config-"));
    const file = join(dir, "zaqros.json");
    writeFileSync(file, JSON.stringify({ ZAQROS_HTTP_PROT: 9090 }));
    assert.throws(
      () => loadConfig({ env: { ZAQROS_CONFIG_FILE: file } }),
      (error: unknown) => error instanceof ConfigError && error.key === "ZAQROS_HTTP_PROT",
    );
  });

  test("when the configuration is described, then secrets are masked and every key is documented", () => {
    const config = loadConfig({
      env: {
        DATABASE_URL: "postgres://zaqros:s3cret-pw@db.example:5432/zaqros",
        ZAQROS_SECRET: "x".repeat(40),
      },
    });
    const lines = describeConfig(config);
    const text = JSON.stringify(lines);
    assert.ok(!text.includes("s3cret-pw"));
    assert.ok(!text.includes("x".repeat(40)));
    assert.equal(
      lines.find((l) => l.key === "DATABASE_URL")?.value,
      "postgres://zaqros:***@db.example:5432/zaqros",
    );
    assert.equal(lines.length, Object.keys(CONFIG_KEYS).length);
    for (const line of lines) assert.ok(line.doc.length > 10, `${line.key} has a line of documentation`);
  });
});
