import pino, { type DestinationStream, type Logger } from "pino";
import { redact, redactText } from "../domains/privacy/redaction.ts";

export type { Logger } from "pino";

/** The parts of an HTTP request a log line may show. */
interface RequestLike {
  method?: string;
  url?: string;
  ip?: string;
  headers?: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}

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
      // `req`, `res` and `err` are left to the serializers below, which keep a few fields and
      // redact them; everything else is redacted here, at any depth.
      log: (object) => {
        const { req, res, err, ...rest } = object;
        const out = redact(rest) as Record<string, unknown>;
        if (req !== undefined) out.req = req;
        if (res !== undefined) out.res = res;
        if (err !== undefined) out.err = err;
        return out;
      },
    },
    serializers: {
      req: (request: RequestLike) =>
        redact({
          method: request.method,
          url: request.url,
          host: request.headers?.host,
          remoteAddress: request.socket?.remoteAddress ?? request.ip,
        }),
      res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
      err: (error: Error) => redact(pino.stdSerializers.err(error)),
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
