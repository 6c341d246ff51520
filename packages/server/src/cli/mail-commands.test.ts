import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadConfig } from "../config/config.ts";
import { CURRENT_LEGAL_VERSIONS } from "../domains/identity/legal-versions.ts";
import { openServices } from "../main/compose.ts";
import { runZaqros } from "../testing/zaqros-cli.ts";

const dataDir = mkdtempSync(join(tmpdir(), "zq-mail-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const zaqros = (...args: string[]) => runZaqros(dataDir, args);

test("when no SMTP server is configured, then sign-up mail waits in the outbox that `zaqros mail list` shows", async () => {
  const empty = await zaqros("mail", "list");
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, "The outbox is empty.\n");

  const { services, close } = await openServices(loadConfig({ env: { ZAQROS_DATA_DIR: dataDir } }));
  try {
    await services.identity.signUp({
      name: "Grace Hopper",
      email: "grace@example.com",
      password: "a ship in port is safe",
      confirmsAge16OrOver: true,
      acceptedTermsVersion: CURRENT_LEGAL_VERSIONS.terms,
      acceptedPrivacyVersion: CURRENT_LEGAL_VERSIONS.privacy,
    });
  } finally {
    await close();
  }

  const listed = await zaqros("mail", "list", "--json");
  assert.equal(listed.code, 0, listed.stderr);
  const { messages } = JSON.parse(listed.stdout) as {
    messages: Array<{ to: string; subject: string; text: string }>;
  };
  assert.equal(messages.length, 1);
  assert.equal(messages[0]?.to, "grace@example.com");
  assert.equal(messages[0]?.subject, "Confirm your email address for Zaqros");
  assert.match(
    messages[0]?.text ?? "",
    /^http:\/\/127\.0\.0\.1:8080\/verify-email\?token=[A-Za-z0-9_-]{43}$/m,
  );

  const text = await zaqros("mail", "list");
  assert.match(
    text.stdout,
    /^--- .* {2}To: grace@example\.com\nSubject: Confirm your email address for Zaqros$/m,
  );
});
