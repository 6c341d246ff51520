import type { MailTransport, OutboxEntry } from "./notify.types.ts";
import type { OutboxRepository } from "./outbox.repository.ts";

export interface NotifyServiceDeps {
  transport: MailTransport;
  outbox: OutboxRepository;
  /** The portal's address, for links in mail (ends without a slash). */
  portalUrl: string;
}

/** The messages Zaqros sends about an account. Security notices are service mail: always sent. */
export class NotifyService {
  constructor(private readonly deps: NotifyServiceDeps) {}

  sendEmailVerification(to: string, token: string) {
    return this.deps.transport.send({
      to,
      subject: "Confirm your email address for Zaqros",
      text: `Open this link to confirm your email address:\n\n${this.deps.portalUrl}/verify-email?token=${token}\n\nIf you did not sign up for Zaqros, ignore this message.\n`,
    });
  }

  sendEmailChange(to: string, token: string) {
    return this.deps.transport.send({
      to,
      subject: "Confirm your new email address for Zaqros",
      text: `Open this link to make this the email address of your Zaqros account:\n\n${this.deps.portalUrl}/confirm-email?token=${token}\n\nIf you did not ask for this, ignore this message.\n`,
    });
  }

  sendPasswordReset(to: string, token: string) {
    return this.deps.transport.send({
      to,
      subject: "Reset your Zaqros password",
      text: `Open this link within 30 minutes to choose a new password:\n\n${this.deps.portalUrl}/reset-password?token=${token}\n\nIf you did not ask for this, ignore this message; your password stays as it is.\n`,
    });
  }

  sendSecurityNotice(to: string, what: string) {
    return this.deps.transport.send({
      to,
      subject: "Security notice from Zaqros",
      text: `${what}\n\nIf this was not you, reset your password and review your sessions under Security.\n`,
    });
  }

  /** Mail kept locally when no SMTP server is configured, newest first. */
  listOutbox(limit = 100): Promise<OutboxEntry[]> {
    return this.deps.outbox.list(limit);
  }
}
