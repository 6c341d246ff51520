export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Where mail goes: an SMTP server, or the local outbox when none is configured. */
export interface MailTransport {
  send(message: MailMessage): Promise<void>;
}

export interface OutboxEntry extends MailMessage {
  id: string;
  createdAt: string;
}

/** Mail the service needs to send whatever the customer's choices (privacy policy §3). */
export type ServiceNoticeKind = "outage" | "security" | "terms-change" | "privacy-request";

/** Mail that needs the customer's consent, and stops under restriction or objection. */
export type OptionalMailPurpose = "product-news-email" | "feedback-surveys";

export interface OptionalMailPolicy {
  allows(accountId: string, purpose: OptionalMailPurpose): Promise<boolean>;
}
