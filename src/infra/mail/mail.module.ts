import { Module, type OnApplicationShutdown, Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { AppConfig } from '../../common/app-config.js';
import { MailTemplates } from './mail-templates.js';
import { DevMailbox, MailTransport, SmtpMailTransport } from './mail-transport.js';

@Injectable()
class MailShutdown implements OnApplicationShutdown {
  constructor(private readonly transport: MailTransport) {}

  onApplicationShutdown(): void {
    this.transport.close();
  }
}

/** Mail for the workers: SMTP when SMTP_URL is set, otherwise the dev mailbox under the data directory. */
@Module({
  providers: [
    {
      provide: MailTransport,
      inject: [AppConfig],
      useFactory: ({ env }: AppConfig) =>
        env.SMTP_URL
          ? new SmtpMailTransport(env.SMTP_URL, env.MAIL_FROM)
          : new DevMailbox(join(env.STEPGUARD_DATA_DIR, 'mail'), env.MAIL_FROM),
    },
    MailTemplates,
    MailShutdown,
  ],
  exports: [MailTransport, MailTemplates],
})
export class MailModule {}
