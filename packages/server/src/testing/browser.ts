import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";

/** Debian's Chromium; playwright-core brings no browser of its own. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const REPO_ROOT = new URL("../../../../", import.meta.url).pathname;
export const PORTAL_DIR = join(REPO_ROOT, "packages/portal");
export const PORTAL_DIST = join(PORTAL_DIR, "dist");
export const SCREENSHOT_DIR = join(REPO_ROOT, "test-output/screenshots");

/**
 * Flags for a quiet, reproducible browser on a shared CI machine: no sandbox (containers run as
 * root), no GPU, no QUIC, and none of the background traffic Chromium makes on its own (updates,
 * sync, field trials), so the only network it uses is the loopback server under test.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

/**
 * Starts Chromium with a fresh profile: playwright-core gives every `launch()` its own new
 * user-data directory (and deletes it on close), so no cookie or cache survives between runs.
 * Launching costs about a second of a shared core; start one per test file and open contexts.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 30_000,
  });
}

/**
 * A new context (its own cookies, like a separate person) and a page in it. HTTPS errors are
 * ignored because the server's certificate in tests is self-signed.
 */
export async function newPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
    locale: "en-GB",
    timezoneId: "UTC",
    acceptDownloads: true,
    ...options,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80) || "unnamed";

/** Saves a full-page screenshot to `test-output/screenshots/<test>/<name>.png`; returns its path. */
export async function saveScreenshot(page: Page, test: string, name: string): Promise<string> {
  const path = join(SCREENSHOT_DIR, slug(test), `${slug(name)}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The newest modification time of the portal's sources (src/, index.html, config, package.json). */
function newestSourceMtime(): number {
  let newest = 0;
  const visit = (path: string) => {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (!stats) return;
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      newest = Math.max(newest, stats.mtimeMs);
    }
  };
  for (const entry of ["src", "public", "index.html", "vite.config.ts", "package.json", "tsconfig.json"]) {
    visit(join(PORTAL_DIR, entry));
  }
  return newest;
}

/** When the build in dist/ was finished, from its index.html; 0 when there is none. */
function builtAt(): number {
  return statSync(join(PORTAL_DIST, "index.html"), { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

const isFresh = () => builtAt() >= newestSourceMtime();

const LOCK = join(PORTAL_DIR, ".build.lock");
/** A lock older than this belongs to a process that died mid-build. */
const STALE_LOCK_MS = 5 * 60_000;

/**
 * Makes sure `packages/portal/dist` holds a build at least as new as the portal's sources,
 * building it with Vite's JS API when it does not. Safe when several test processes start at
 * once: `mkdir` of a lock directory is atomic, the winner builds into a temporary directory and
 * renames it into place, the others wait for the lock to go and then find the build fresh.
 */
export async function ensurePortalBuilt(): Promise<string> {
  const deadline = Date.now() + 10 * 60_000;
  while (!isFresh()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the portal build");
    try {
      mkdirSync(LOCK);
    } catch {
      const lock = statSync(LOCK, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (!isFresh()) await buildPortalInto(PORTAL_DIST);
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
  return PORTAL_DIST;
}

/** Builds the portal into `target` through a temporary directory, so `target` is never half-written. */
async function buildPortalInto(target: string): Promise<void> {
  const { build } = await import("vite");
  const temporary = mkdtempSync(join(PORTAL_DIR, ".dist-"));
  try {
    await build({
      root: PORTAL_DIR,
      configFile: join(PORTAL_DIR, "vite.config.ts"),
      logLevel: "warn",
      build: { outDir: temporary, emptyOutDir: true },
    });
    const old = `${target}.old-${process.pid}`;
    if (statSync(target, { throwIfNoEntry: false })) renameSync(target, old);
    renameSync(temporary, target);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

/** A temporary directory for one test's files (downloads, data). */
export function testDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `zaqros-${slug(prefix)}-`));
}
