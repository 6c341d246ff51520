import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { z } from "zod";
import { CONFIG_KEYS, type ConfigKeyName } from "./config-keys.ts";

export type Config = Readonly<{ [K in ConfigKeyName]: z.output<(typeof CONFIG_KEYS)[K]["schema"]> }>;

/** A configuration value that cannot be used. Start-up stops with exit code 2 and this message. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly problem: string,
  ) {
    super(`${key} ${problem}`);
    this.name = "ConfigError";
  }
}

export interface ConfigSources {
  /** Usually `process.env`; the only place the platform reads the environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory that relative paths resolve against. */
  cwd?: string;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError("ZAQROS_CONFIG_FILE", `cannot be read: ${(error as NodeJS.ErrnoException).code}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError("ZAQROS_CONFIG_FILE", "is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError("ZAQROS_CONFIG_FILE", 'must hold a JSON object such as {"ZAQROS_HTTP_PORT": 8080}');
  }
  const known = new Set(Object.values(CONFIG_KEYS).map((k) => k.env));
  for (const name of Object.keys(parsed)) {
    if (!known.has(name)) throw new ConfigError(name, `in ${path} is not a Zaqros configuration key`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads the environment and the optional config file once, validates every key and returns a
 * frozen, typed configuration. Throws {@link ConfigError} naming the first key that is wrong.
 */
export function loadConfig(sources: ConfigSources): Config {
  const cwd = sources.cwd ?? process.cwd();
  const filePath = sources.env.ZAQROS_CONFIG_FILE;
  const file = filePath ? readConfigFile(resolve(cwd, filePath)) : {};
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_KEYS)) {
    const fromEnv = sources.env[spec.env];
    const fromFile = file[spec.env];
    const raw = fromEnv !== undefined && fromEnv !== "" ? fromEnv : (fromFile ?? spec.fallback);
    const input = typeof raw === "number" ? String(raw) : raw;
    const result = spec.schema.safeParse(input);
    if (!result.success) {
      const problem = result.error.issues[0]?.message ?? "is not valid";
      throw new ConfigError(spec.env, `${problem} (got ${JSON.stringify(spec.secret ? "***" : input)})`);
    }
    values[name] = result.data;
  }
  values.dataDir = resolve(cwd, values.dataDir as string);
  return Object.freeze(values) as Config;
}

/**
 * The port HTTPS listens on, or undefined when it is off. Unset, it is 8443 beside the default
 * HTTP port, and otherwise the HTTP port plus one, so that a second instance on one machine
 * (a test, a benchmark) that moves its HTTP port does not collide on HTTPS.
 */
export function effectiveHttpsPort(config: Pick<Config, "httpPort" | "httpsPort">): number | undefined {
  if (config.httpsPort === "off") return undefined;
  if (config.httpsPort !== undefined) return config.httpsPort;
  return config.httpPort === 8080 ? 8443 : config.httpPort + 1;
}

/** The effective configuration with secrets masked, keyed by environment variable, for `zaqros config`. */
export function describeConfig(config: Config): Array<{ key: string; value: string; doc: string }> {
  return (Object.keys(CONFIG_KEYS) as ConfigKeyName[]).map((name) => {
    const spec = CONFIG_KEYS[name];
    const value = config[name];
    let shown: string;
    if (value === undefined) shown = "(unset)";
    else if (spec.secret) shown = maskSecret(spec.env, String(value));
    else if (Array.isArray(value)) shown = value.length > 0 ? value.join(",") : "(none)";
    else if (typeof value === "object") shown = `${value.low}-${value.high}`;
    else shown = String(value);
    return { key: spec.env, value: shown, doc: spec.doc };
  });
}

function maskSecret(env: string, value: string): string {
  if (env === "DATABASE_URL") {
    try {
      const url = new URL(value);
      if (url.password) url.password = "***";
      return url.toString();
    } catch {
      return "***";
    }
  }
  return "***";
}
