import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freePort } from "../testing/free-port.ts";

const BIN = new URL("../../bin/zaqros.mjs", import.meta.url).pathname;

test("when `zaqros dev paypal-sandbox --port N` runs, then it prints Zaqros's PayPal settings and its API answers with them", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "dev", "paypal-sandbox", "--port", String(port)], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      ZAQROS_DATA_DIR: mkdtempSync(join(tmpdir(), "zq-cli-")),
      ZAQROS_HTTP_PORT: "18080",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  try {
    const deadline = Date.now() + 60_000;
    while (!stdout.includes("ZAQROS_PAYPAL_WEBHOOK_ID=") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const setting = (name: string) => new RegExp(`${name}=(\\S+)`).exec(stdout)?.[1] ?? "";
    assert.equal(setting("ZAQROS_PAYPAL_API_URL"), `http://127.0.0.1:${port}`, stderr);
    assert.match(stdout, /Webhooks go to http:\/\/127\.0\.0\.1:18080\/webhooks\/paypal/);
    const basic = Buffer.from(
      `${setting("ZAQROS_PAYPAL_CLIENT_ID")}:${setting("ZAQROS_PAYPAL_CLIENT_SECRET")}`,
    );
    const token = await fetch(`http://127.0.0.1:${port}/v1/oauth2/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${basic.toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    assert.equal(token.status, 200);
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const webhooks = await fetch(`http://127.0.0.1:${port}/v1/notifications/webhooks`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const { webhooks: list } = (await webhooks.json()) as { webhooks: Array<{ id: string }> };
    assert.equal(list[0]?.id, setting("ZAQROS_PAYPAL_WEBHOOK_ID"));
    const refused = await fetch(`http://127.0.0.1:${port}/v2/checkout/orders/X`);
    assert.equal(refused.status, 401);
  } finally {
    child.kill("SIGINT");
  }
  assert.equal(await exited, 0);
});
