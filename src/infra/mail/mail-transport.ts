import { Logger } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
}

/** Where mail goes: SMTP in production, the dev mailbox when no SMTP_URL is configured. */
export abstract class MailTransport {
  abstract send(message: MailMessage): Promise<void>;
  abstract close(): void;
}

/** nodemailer over `SMTP_URL` (smtp:// or smtps://, credentials in the URL). */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: nodemailer.Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    super();
    this.transporter = nodemailer.createTransport(url);
  }

  async send(message: MailMessage): Promise<void> {
    await this.transporter.sendMail({ from: this.from, ...message });
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * With no SMTP_URL, each message becomes an `.eml` file under `<STEPGUARD_DATA_DIR>/mail/` and a log
 * line naming it: a laptop install never drops mail silently. The log line never carries the body
 * (it holds codes); the file is the mailbox.
 */
export class DevMailbox extends MailTransport {
  private readonly logger = new Logger('DevMailbox');
  private readonly builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    readonly directory: string,
    private readonly from: string,
  ) {
    super();
  }

  async send(message: MailMessage): Promise<void> {
    const built = (await this.builder.sendMail({ from: this.from, ...message })) as { message: Buffer };
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
    const path = join(this.directory, name);
    await writeFile(path, built.message, { mode: 0o600 });
    this.logger.log(`no SMTP_URL: mail to ${message.to} ("${message.subject}") written to ${path}`);
  }

  close(): void {
    this.builder.close();
  }
}
