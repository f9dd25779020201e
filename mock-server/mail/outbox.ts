import { randomUUID } from 'node:crypto';
import type { Transporter } from 'nodemailer';
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
  delivery: {
    /**
     * pending: being sent (or waiting to retry); sent; failed: every attempt failed, or the server
     * refused it for good (5xx); not-configured: no SMTP_URL; undelivered: deliberately not sent (reason).
     */
    status: 'pending' | 'sent' | 'not-configured' | 'failed' | 'undelivered';
    /** SMTP attempts made so far. */
    attempts?: number;
    message_id?: string;
    error?: string;
    reason?: string;
  };
}

/**
 * Where the bank keeps the emails it sent: in memory (Outbox), or shared by every instance of the
 * bank (the Redis store's, STORE_URL). `add` and `save` (a changed delivery state) never throw: a
 * mail kept nowhere must not fail the registration it reports on.
 */
export interface OutboxStore {
  readonly max: number;
  add(entry: OutboxEntry): void;
  /** The entry's delivery state changed (pending, then sent or failed). */
  save(entry: OutboxEntry): void;
  list(): OutboxEntry[] | Promise<OutboxEntry[]>;
  clear(): void | Promise<void>;
}

/**
 * Emails sent by the bank, newest last: a ring of at most `max` entries and `maxBytes` bytes (each
 * measured once, as JSON), the oldest dropped first. Read through GET /__admin/outbox.
 */
export class Outbox implements OutboxStore {
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
  /** The ring holds the entry itself: a changed delivery state is already there. */
  save(_entry: OutboxEntry): void {}
  list(): OutboxEntry[] {
    return structuredClone(this.ring.toArray());
  }
  clear(): void {
    this.ring.clear();
  }
}

export interface Mailer {
  /**
   * Sends through SMTP when configured and always keeps the mail in the outbox (at once, as
   * pending, then its final state); a transient failure is retried with a doubling delay, up to
   * `attempts` in all. Resolves with the final state; never throws.
   */
  send(message: MailMessage): Promise<OutboxEntry>;
  /** Keeps the mail in the outbox without sending it (status undelivered, with the reason). */
  keep(message: MailMessage, reason: string): OutboxEntry;
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

/** A transient failure, worth another attempt: no SMTP answer at all (connection, timeout) or a 4xx. */
function transient(e: unknown): boolean {
  const code = (e as { responseCode?: unknown }).responseCode;
  return typeof code !== 'number' || (code >= 400 && code < 500);
}

export function createMailer(opts: {
  smtpUrl: string | undefined;
  from: string;
  outbox: OutboxStore;
  logger: Logger;
  /** Attempts per mail, the first included (default 3). */
  attempts?: number;
  /** Delay before the first retry, doubling after each (default 1000 ms). */
  retryMs?: number;
}): Mailer {
  // Bounded waits: nodemailer's defaults let a silent server hold a send for minutes. nodemailer
  // itself loads on the first email, and only when SMTP is configured (the email-deferred profile).
  const smtpUrl = opts.smtpUrl;
  let transporter: Promise<Transporter> | undefined;
  const transport = smtpUrl
    ? {
        sendMail: async (mail: Parameters<Transporter['sendMail']>[0]) =>
          (await (transporter ??= import('nodemailer').then((m) => (m.default ?? m).createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 })))).sendMail(mail),
      }
    : undefined;
  const attempts = Math.max(1, opts.attempts ?? 3);
  const retryMs = opts.retryMs ?? 1000;
  const entryOf = (message: MailMessage, delivery: OutboxEntry['delivery']): OutboxEntry => ({
    id: randomUUID(),
    time: new Date().toISOString(),
    from: opts.from,
    ...message,
    text: mailText(message),
    delivery,
  });
  return {
    keep(message, reason) {
      const entry = entryOf(message, { status: 'undelivered', reason });
      opts.outbox.add(entry);
      opts.logger.warn('email not sent', { to: message.to, subject: message.subject, reason });
      return entry;
    },
    async send(message) {
      const entry = entryOf(message, { status: transport ? 'pending' : 'not-configured', ...(transport ? { attempts: 0 } : {}) });
      opts.outbox.add(entry);
      if (transport) {
        for (let attempt = 1; ; attempt++) {
          entry.delivery.attempts = attempt;
          try {
            const info = await transport.sendMail({ from: opts.from, to: message.to, subject: message.subject, text: entry.text });
            entry.delivery = { status: 'sent', attempts: attempt, message_id: String(info.messageId) };
            opts.outbox.save(entry);
            break;
          } catch (e) {
            const error = (e as Error).message;
            const retry = attempt < attempts && transient(e);
            opts.logger.warn(retry ? 'email delivery failed; retrying' : 'email delivery failed', { to: message.to, attempt, error });
            if (!retry) {
              entry.delivery = { status: 'failed', attempts: attempt, error };
              opts.outbox.save(entry);
              break;
            }
            entry.delivery = { status: 'pending', attempts: attempt, error };
            opts.outbox.save(entry);
            await new Promise((r) => setTimeout(r, retryMs * 2 ** (attempt - 1)).unref());
          }
        }
      }
      opts.logger.info('email', { to: message.to, subject: message.subject, delivery: entry.delivery.status, attempts: entry.delivery.attempts });
      return entry;
    },
  };
}
