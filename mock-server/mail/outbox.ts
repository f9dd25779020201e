import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Logger } from '../logger';
import { ENTRY_OVERHEAD_BYTES, RingBuffer, utf8Bytes } from '../store/bounded';
import { defaultStoreLimits } from '../store/limits';

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

/**
 * Emails sent by the bank, newest last: a ring of at most `max` entries and `maxBytes` bytes (each
 * measured once, as JSON), the oldest dropped first. Read through GET /__admin/outbox.
 */
export class Outbox {
  private readonly ring: RingBuffer<OutboxEntry>;
  constructor(readonly max: number, readonly maxBytes: number = defaultStoreLimits.outboxBytes) {
    this.ring = new RingBuffer(max, maxBytes);
  }
  add(entry: OutboxEntry): void {
    const bytes = utf8Bytes(JSON.stringify(entry)) + ENTRY_OVERHEAD_BYTES;
    if (this.ring.push(entry, bytes)) return;
    // Larger than the whole outbox: kept without its result.
    const note = `(omitted: ${bytes} bytes, larger than the outbox's ${this.maxBytes} byte limit, OUTBOX_MAX_BYTES)`;
    const small = { ...entry, result: note, text: note };
    this.ring.push(small, utf8Bytes(JSON.stringify(small)) + ENTRY_OVERHEAD_BYTES);
  }
  list(): OutboxEntry[] {
    return structuredClone(this.ring.toArray());
  }
  clear(): void {
    this.ring.clear();
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
  const transport = opts.smtpUrl ? nodemailer.createTransport(opts.smtpUrl) : undefined;
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
