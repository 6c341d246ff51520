import type { Logger } from "pino";

/**
 * A child logger made on the first line written at an enabled level, for objects made by the
 * thousand a second that seldom log (a call): pino's `child` serializes its bindings each time,
 * a measurable share of a call's CPU in bench/b2bua when every call made one.
 */
export class LazyChildLogger {
  #child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Record<string, unknown>,
  ) {}

  info(object: object, message: string): void {
    this.#write("info", object, message);
  }

  warn(object: object, message: string): void {
    this.#write("warn", object, message);
  }

  #write(level: "info" | "warn", object: object, message: string): void {
    if (!this.parent.isLevelEnabled(level)) return;
    this.#child ??= this.parent.child(this.bindings);
    this.#child[level](object, message);
  }
}
