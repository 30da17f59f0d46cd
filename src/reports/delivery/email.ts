import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { AppConfig } from '../../config/index.js';
import { PermanentError, TransientError } from '../../errors/index.js';

export interface EmailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

const email = z.email();

/** Split recipients into deliverable addresses and the rest (kept for the log, never sent to). */
export function splitRecipients(recipients: readonly string[]): { valid: string[]; invalid: string[] } {
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const r of recipients) (email.safeParse(r.trim()).success ? valid : invalid).push(r.trim());
  return { valid, invalid };
}

/**
 * Send one message over SMTP with nodemailer. 4xx answers and connection failures are transient
 * (retried with the job's backoff); 5xx answers (unknown mailbox, rejected content) are permanent.
 */
export async function sendEmail(
  config: AppConfig,
  msg: {
    to: string[];
    subject: string;
    text: string;
    /** An HTML body; `text` is then its plain-text alternative (multipart/alternative). */
    html?: string;
    attachments: EmailAttachment[];
    /** The same for every send of the same content: a resend after a crash dedupes in mail clients. */ messageId?: string;
  },
): Promise<{ messageId: string; accepted: string[] }> {
  if (!config.SMTP_URL) throw new PermanentError('Email delivery needs SMTP_URL to be configured');
  // Connecting, waiting for the greeting and any silence mid-conversation are all bounded.
  const transport = nodemailer.createTransport({
    url: config.SMTP_URL,
    connectionTimeout: config.SMTP_TIMEOUT_MS,
    greetingTimeout: config.SMTP_TIMEOUT_MS,
    socketTimeout: config.SMTP_TIMEOUT_MS,
  });
  try {
    const info = await transport.sendMail({
      from: config.MAIL_FROM,
      to: msg.to,
      subject: msg.subject,
      text: msg.text,
      ...(msg.html ? { html: msg.html } : {}),
      attachments: msg.attachments,
      ...(msg.messageId ? { messageId: msg.messageId } : {}),
    });
    return { messageId: info.messageId, accepted: (info.accepted as string[]).map(String) };
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    const message = `SMTP delivery failed: ${(err as Error).message}`;
    throw code !== undefined && code >= 500 ? new PermanentError(message) : new TransientError(message);
  } finally {
    transport.close();
  }
}
