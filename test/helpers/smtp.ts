import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** An SMTP stand-in on 127.0.0.1 (the smtp-server package: a real SMTP dialogue) that keeps every message. */
export class SmtpStandIn {
  readonly messages: ParsedMail[] = [];
  url = '';
  /** Answer the next DATA with this SMTP code (e.g. 451 transient, 550 permanent). */
  rejectNext: number | null = null;
  private waiters: (() => void)[] = [];
  private server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, _session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (this.rejectNext) {
          const code = this.rejectNext;
          this.rejectNext = null;
          return callback(Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: code }));
        }
        this.messages.push(await simpleParser(Buffer.concat(chunks)));
        this.waiters.splice(0).forEach((w) => w());
        callback();
      });
    },
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
