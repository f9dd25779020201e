import { randomUUID } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Logger } from '../logger';

export interface MailMessage {
  to: string;
  subject: string;
  /** The result the mail carries, as JSON: also written into the text. */
  result: unknown;
  /** What the mail is about (e.g. the registration's interaction id). */
  ref?: string;
}

export interface OutboxEntry extends MailMessage {
  id: string;
  time: string;
  from: string;
  text: string;
  delivery: { status: 'sent' | 'not-configured' | 'failed'; message_id?: string; error?: string };
}

/** Emails sent by the bank, newest last, the oldest dropped past `max`: read through GET /__admin/outbox. */
export class Outbox {
  private entries: OutboxEntry[] = [];
  constructor(readonly max: number) {}
  add(entry: OutboxEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
  }
  list(): OutboxEntry[] {
    return structuredClone(this.entries);
  }
  clear(): void {
    this.entries = [];
  }
}

export interface Mailer {
  /** Sends through SMTP when configured and always keeps the mail in the outbox; never throws. */
  send(message: MailMessage): Promise<OutboxEntry>;
}

export function mailText(message: MailMessage): string {
  return [
    message.subject,
    '',
    ...(message.ref ? [`Reference: ${message.ref}`, ''] : []),
    JSON.stringify(message.result, null, 2),
    '',
  ].join('\n');
}

export function createMailer(opts: { smtpUrl: string | undefined; from: string; outbox: Outbox; logger: Logger }): Mailer {
  // nodemailer loads on the first email, and only when SMTP is configured (the email-deferred profile).
  let transporter: Promise<Transporter> | undefined;
  const smtpUrl = opts.smtpUrl;
  const transport = smtpUrl
    ? { sendMail: async (mail: Parameters<Transporter['sendMail']>[0]) => (await (transporter ??= import('nodemailer').then((m) => (m.default ?? m).createTransport(smtpUrl)))).sendMail(mail) }
    : undefined;
  return {
    async send(message) {
      const entry: OutboxEntry = {
        id: randomUUID(),
        time: new Date().toISOString(),
        from: opts.from,
        ...message,
        text: mailText(message),
        delivery: { status: 'not-configured' },
      };
      if (transport) {
        try {
          const info = await transport.sendMail({ from: opts.from, to: message.to, subject: message.subject, text: entry.text });
          entry.delivery = { status: 'sent', message_id: String(info.messageId) };
        } catch (e) {
          entry.delivery = { status: 'failed', error: (e as Error).message };
          opts.logger.warn('email delivery failed', { to: message.to, error: (e as Error).message });
        }
      }
      opts.outbox.add(entry);
      opts.logger.info('email', { to: message.to, subject: message.subject, delivery: entry.delivery.status });
      return entry;
    },
  };
}
