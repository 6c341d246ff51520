import { SMTPServer } from "smtp-server";

export interface CapturedMail {
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on 127.0.0.1 for tests: it accepts every message and keeps it, so a test reads
 * the mail a customer would get. Listens on a port the system picks.
 */
export class SmtpCapture {
  readonly messages: CapturedMail[] = [];
  private waiters = new Set<() => void>();
  private readonly server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          this.messages.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString("utf8"),
          });
          for (const wake of this.waiters) wake();
          callback();
        });
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const address = this.server.server.address();
    if (typeof address !== "object" || !address) throw new Error("SMTP capture has no port");
    this.port = address.port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first message to `to` (already received or still to come) whose text matches. */
  waitFor(to: string, match: RegExp, timeoutMs = 5_000): Promise<CapturedMail> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find((m) => m.to.includes(to) && match.test(unfold(m.raw)));
        if (found) {
          done();
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no mail to ${to} matching ${match} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Undoes quoted-printable soft line breaks, so a long link reads as one line. */
export function unfold(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
}

/** The token in the first `?token=` link of a message. */
export function tokenFrom(mail: CapturedMail): string {
  const match = /[?&]token=([A-Za-z0-9_-]+)/.exec(unfold(mail.raw));
  if (!match?.[1]) throw new Error(`no token link in mail:\n${mail.raw}`);
  return match[1];
}
