import { randomUUID } from "node:crypto";
import type { MailMessage, MailTransport } from "./notify.types.ts";
import type { OutboxRepository } from "./outbox.repository.ts";

/** Keeps mail in the database so one machine works without SMTP; `zaqros mail list` shows it. */
export class OutboxTransport implements MailTransport {
  constructor(
    private readonly repository: OutboxRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(message: MailMessage): Promise<void> {
    await this.repository.insert({ ...message, id: randomUUID(), createdAt: this.now().toISOString() });
  }
}
