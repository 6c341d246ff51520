import nodemailer, { type Transporter } from "nodemailer";
import type { MailMessage, MailTransport } from "./notify.types.ts";

/** Sends through the operator's SMTP server (`ZAQROS_SMTP_URL`, e.g. smtps://user:pass@mail.example.com). */
export class SmtpTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transporter = nodemailer.createTransport(smtpUrl);
  }

  async send(message: MailMessage): Promise<void> {
    await this.transporter.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
  }

  close(): void {
    this.transporter.close();
  }
}
