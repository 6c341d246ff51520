import pino, { type DestinationStream, type Logger } from "pino";
import { redact, redactText } from "../domains/privacy/redaction.ts";

export type { Logger } from "pino";

export interface LoggerOptions {
  level: string;
  format: "auto" | "json" | "pretty";
  /** Where lines go; defaults to stdout. Tests pass a stream they read. */
  destination?: DestinationStream;
}

/**
 * The platform logger: JSON for machines, readable in a terminal. Every line passes through the
 * privacy domain's redaction list, so secrets never reach a log whoever writes the line.
 */
export function createLogger(options: LoggerOptions): Logger {
  const pretty =
    options.format === "pretty" ||
    (options.format === "auto" && !options.destination && process.stdout.isTTY === true);
  const base: pino.LoggerOptions = {
    level: options.level,
    base: { service: "zaqros" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      log: (object) => redact(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const redacted = args.map((arg) => (typeof arg === "string" ? redactText(arg) : arg));
        method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  };
  if (pretty) {
    return pino({
      ...base,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l" } },
    });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
