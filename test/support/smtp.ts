import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitUntil } from './wait.js';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A real SMTP server in the test process: what the workers send is parsed as a mail client would. */
export async function startSmtp() {
  const inbox: ReceivedMail[] = [];
  const heldReplies: (() => void)[] = [];
  const arrivals = new Set<() => void>();
  let holdNext = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, _session, done) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
          inbox.push({
            to: to?.value[0]?.address ?? '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
          });
          for (const arrived of arrivals) arrived();
          if (!holdNext) return done();
          holdNext = false;
          heldReplies.push(() => done(new Error('server closing')));
        })
        .catch(done);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  /** The mails to `address`, only those whose subject matches `subject` when it is given. */
  const to = (address: string, subject?: RegExp) =>
    inbox.filter((m) => m.to === address && (!subject || subject.test(m.subject)));
  /** Waits for the `n`th mail to `address` (among those whose subject matches `subject`, if given). */
  async function nth(address: string, n = 1, timeoutMs = 10_000, subject?: RegExp): Promise<ReceivedMail> {
    const mails = await waitUntil(() => to(address, subject), {
      what: `mail #${n} to ${address}${subject ? ` (${subject})` : ''}`,
      timeoutMs,
      until: (received) => received.length >= n,
      wakeOn: (wake) => (arrivals.add(wake), () => arrivals.delete(wake)),
    });
    return mails[n - 1]!;
  }
  /**
   * The next message is received (and shows in the inbox) but never acknowledged: the sender is left
   * waiting for the reply, as a worker that has mailed and not yet recorded it.
   */
  const holdNextReply = () => {
    holdNext = true;
  };
  const close = () => {
    for (const reply of heldReplies.splice(0)) reply();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return { inbox, url: `smtp://127.0.0.1:${port}`, to, nth, holdNextReply, close };
}

export type TestSmtp = Awaited<ReturnType<typeof startSmtp>>;
