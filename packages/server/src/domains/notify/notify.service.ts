import type {
  MailTransport,
  OptionalMailPolicy,
  OptionalMailPurpose,
  OutboxEntry,
  ServiceNoticeKind,
} from "./notify.types.ts";
import type { OutboxRepository } from "./outbox.repository.ts";

export interface NotifyServiceDeps {
  transport: MailTransport;
  outbox: OutboxRepository;
  /** The portal's address, for links in mail (ends without a slash). */
  portalUrl: string;
  /**
   * Whether an account may be sent optional mail (consent given, no restriction or objection);
   * the privacy domain answers. Without it no optional mail is sent.
   */
  optionalMail?: OptionalMailPolicy;
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

  /**
   * A service notice (outage, security, a change to the Terms or Privacy Policy, the handling of a
   * privacy request): not marketing, so sent whatever the customer's consents, restriction or
   * objection (privacy policy §3).
   */
  async sendServiceNotice(to: string, kind: ServiceNoticeKind, subject: string, text: string): Promise<void> {
    await this.deps.transport.send({ to, subject: `${SERVICE_NOTICE_PREFIX[kind]}${subject}`, text });
  }

  /**
   * Mail that is not needed to run the service (product news, surveys): sent only while the
   * account's consent for the purpose stands and it has not restricted or objected to processing.
   * Resolves with whether it was sent.
   */
  async sendOptionalMail(
    account: { id: string; email: string },
    purpose: OptionalMailPurpose,
    subject: string,
    text: string,
  ): Promise<boolean> {
    const allowed = (await this.deps.optionalMail?.allows(account.id, purpose)) ?? false;
    if (!allowed) return false;
    await this.deps.transport.send({
      to: account.email,
      subject,
      text: `${text}\n\nYou get this because you agreed to it. Withdraw at any time on the Privacy page: ${this.deps.portalUrl}/privacy\n`,
    });
    return true;
  }

  /** A receipt for a balance top-up: service mail, always sent. */
  sendTopUpReceipt(
    to: string,
    receipt: { amount: string; currency: string; reference: string; balance: string; at: string },
  ) {
    return this.deps.transport.send({
      to,
      subject: `Receipt: ${receipt.amount} ${receipt.currency} added to your Zaqros balance`,
      text: `Your top-up through PayPal is complete.\n\nAmount: ${receipt.amount} ${receipt.currency}\nPayPal transaction: ${receipt.reference}\nDate (UTC): ${receipt.at}\n${receipt.balance ? `Balance now: ${receipt.balance} ${receipt.currency}\n` : ""}\nYour top-ups are listed at ${this.deps.portalUrl}/top-up\n`,
    });
  }

  /** Mail kept locally when no SMTP server is configured, newest first. */
  listOutbox(limit = 100): Promise<OutboxEntry[]> {
    return this.deps.outbox.list(limit);
  }
}

const SERVICE_NOTICE_PREFIX: Readonly<Record<ServiceNoticeKind, string>> = {
  outage: "Service notice: ",
  security: "Security notice: ",
  "terms-change": "Changes to our terms: ",
  "privacy-request": "Your privacy request: ",
};
