import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Received {
  rcpt: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives; refuses recipients at reject.test. */
export class TestSmtp {
  readonly messages: Received[] = [];
  private server: SMTPServer | null = null;

  async start(port = 0): Promise<number> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, cb) => {
        if (address.address.endsWith('@reject.test')) {
          const err = new Error('mailbox unavailable') as Error & { responseCode: number };
          err.responseCode = 550;
          return cb(err);
        }
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.messages.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          cb();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** A header of a raw message (unfolded). */
export function header(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}

/** The attachments of a raw multipart message as nodemailer writes them (base64 parts with a filename). */
export function attachments(raw: string): Array<{ filename: string; contentType: string; content: Buffer }> {
  const out: Array<{ filename: string; contentType: string; content: Buffer }> = [];
  const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/g)].map((m) => m[1]);
  for (const boundary of boundaries) {
    for (const section of raw.split(`--${boundary}`).slice(1)) {
      const split = section.search(/\r?\n\r?\n/);
      if (split < 0) continue;
      const head = section.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
      const filename = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1];
      if (!filename || !/content-transfer-encoding:\s*base64/i.test(head)) continue;
      const contentType = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1].trim() ?? '';
      out.push({ filename, contentType, content: Buffer.from(section.slice(split).replace(/\s+/g, ''), 'base64') });
    }
  }
  return out;
}
