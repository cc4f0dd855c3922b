import { TransactionRunner } from '../../src/database/transaction-runner';
import { MAX_ATTEMPTS } from '../../src/modules/notifications/domain/delivery';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { OutboxDispatcher } from '../../src/modules/notifications/outbox.dispatcher';
import { OutgoingEmail, OutboxService } from '../../src/modules/notifications/outbox.service';
import { insertOutboxRow } from '../factories/outbox';
import { startTestApp, TestApp } from '../helpers/app';
import { TestSmtp } from '../helpers/smtp';

/** Just enough MIME to read nodemailer's multipart/alternative: the decoded text and HTML parts. */
function parts(raw: string): { text: string; html: string; headers: string } {
  const [headers] = raw.split(/\r?\n\r?\n/);
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
  const out = { text: '', html: '', headers };
  if (!boundary) return out;
  for (const section of raw.split(`--${boundary}`).slice(1)) {
    const split = section.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const head = section.slice(0, split);
    let body = section
      .slice(split)
      .replace(/^\r?\n\r?\n/, '')
      .replace(/\r?\n$/, '');
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
      body = decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
    } else if (/content-transfer-encoding:\s*base64/i.test(head)) {
      body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    }
    if (/content-type:\s*text\/plain/i.test(head)) out.text = body;
    if (/content-type:\s*text\/html/i.test(head)) out.html = body;
  }
  return out;
}

async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const MINUTE = 60_000;

describe('outbox delivery through a real SMTP server', () => {
  const smtp = new TestSmtp();
  let port: number;
  let t: TestApp;
  let outbox: OutboxService;
  let dispatcher: OutboxDispatcher;
  let tx: TransactionRunner;

  const mail = (over: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
    customerId: 1,
    to: 'someone@example.com',
    subject: 'Low balance',
    template: 'low-balance',
    context: { customerName: 'Acme', balance: '1.00', threshold: '5.00', currency: 'EUR', autoTopUp: false, topUpAmount: null },
    ...over,
  });
  const enqueue = (over: Partial<OutgoingEmail> = {}) => tx.run((em) => outbox.enqueue(em, mail(over)));
  const row = (id: number) => t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ id });
  const sentTo = (address: string) => smtp.messages.filter((m) => m.rcpt.includes(address));

  beforeAll(async () => {
    port = await smtp.start();
    t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Billing <billing@test.example>' });
    outbox = t.app.get(OutboxService);
    dispatcher = t.app.get(OutboxDispatcher);
    tx = t.app.get(TransactionRunner);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    // startTestApp merges into process.env: leave no SMTP behind for the next test file in this worker.
    process.env.SMTP_URL = '';
    delete process.env.MAIL_FROM;
  });
  afterEach(() => t.clock.setNow(new Date()));

  it('delivers a committed mail by itself right after the commit, once', async () => {
    const id = await enqueue({ to: 'auto@example.com' });
    expect((await row(id)).status).toBe('pending');
    await eventually(async () => (await row(id)).status === 'sent');
    await dispatcher.whenIdle();
    const r = await row(id);
    expect(r).toMatchObject({ status: 'sent', attempts: 1, lastError: null, leaseUntil: null });
    expect(r.sentAt).toBeInstanceOf(Date);
    expect(sentTo('auto@example.com')).toHaveLength(1);
    const m = parts(sentTo('auto@example.com')[0].raw);
    expect(m.headers).toMatch(/^From: Billing <billing@test\.example>$/m);
    expect(m.headers).toMatch(/^Subject: Low balance$/m);
    expect(m.headers).toMatch(new RegExp(`^Message-ID: <outbox\\.${id}\\.\\d+@test\\.example>$`, 'm'));
    expect(m.text).toContain('The balance of Acme is 1.00 EUR');
    expect(m.html).toContain('<strong>Acme</strong>');
    // Another pass finds nothing to do.
    expect((await dispatcher.deliverDue()).claimed).toBe(0);
    expect(sentTo('auto@example.com')).toHaveLength(1);
  });

  it('also picks up due rows on its timer (e.g. left by another instance), within a few seconds', async () => {
    const id = await insertOutboxRow(t, {
      status: 'pending',
      toAddress: 'timer@example.com',
      subject: 'From the timer',
      context: JSON.stringify(mail().context),
    });
    await eventually(async () => (await row(id)).status === 'sent', 12_000);
    expect(sentTo('timer@example.com')).toHaveLength(1);
    expect((await row(id)).bodyText).toContain('The balance of Acme');
  });

  describe('with the background dispatcher paused', () => {
    beforeAll(async () => {
      dispatcher.pause();
      await dispatcher.whenIdle();
    });
    afterAll(() => dispatcher.resume());

    it('never sends a mail whose transaction rolled back', async () => {
      await expect(
        tx.run(async (em) => {
          await outbox.enqueue(em, mail({ to: 'rolled-back@example.com' }));
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 0, sent: 0 });
      expect(sentTo('rolled-back@example.com')).toHaveLength(0);
      expect(await t.dataSource.getRepository(OutboxEmailEntity).countBy({ toAddress: 'rolled-back@example.com' })).toBe(0);
    });

    it('sends each committed mail exactly once when several dispatchers run at the same time', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) ids.push(await enqueue({ to: `race${i}@example.com` }));
      const reports = await Promise.all([dispatcher.deliverDue(), dispatcher.deliverDue(), dispatcher.deliverDue()]);
      expect(reports.reduce((n, r) => n + r.claimed, 0)).toBe(6);
      expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(6);
      for (let i = 0; i < 6; i++) expect(sentTo(`race${i}@example.com`)).toHaveLength(1);
      for (const id of ids) expect((await row(id)).status).toBe('sent');
    });

    it('retries with back-off while SMTP is down, then delivers once when it is back', async () => {
      await smtp.stop();
      const start = new Date('2031-03-01T10:00:00Z');
      t.clock.setNow(start);
      const id = await enqueue({ to: 'backoff@example.com' });

      expect(await dispatcher.deliverDue()).toMatchObject({ claimed: 1, retrying: 1 });
      let r = await row(id);
      expect(r).toMatchObject({ status: 'pending', attempts: 1 });
      expect(r.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(Math.round((r.nextAttemptAt.getTime() - start.getTime()) / 1000)).toBe(60);

      // Not due yet: nothing is tried.
      expect((await dispatcher.deliverDue()).claimed).toBe(0);

      t.clock.setNow(new Date(start.getTime() + MINUTE + 1000));
      expect(await dispatcher.deliverDue()).toMatchObject({ claimed: 1, retrying: 1 });
      r = await row(id);
      expect(r.attempts).toBe(2);
      expect(Math.round((r.nextAttemptAt.getTime() - (start.getTime() + MINUTE + 1000)) / 1000)).toBe(120);

      port = await smtp.start(port);
      t.clock.setNow(new Date(start.getTime() + MINUTE + 1000 + 60_000));
      expect((await dispatcher.deliverDue()).claimed).toBe(0); // one minute into a two-minute wait
      t.clock.setNow(new Date(start.getTime() + 4 * MINUTE));
      expect(await dispatcher.deliverDue()).toMatchObject({ claimed: 1, sent: 1 });
      r = await row(id);
      expect(r).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
      expect(sentTo('backoff@example.com')).toHaveLength(1);
      expect((await dispatcher.deliverDue()).claimed).toBe(0);
      expect(sentTo('backoff@example.com')).toHaveLength(1);
    });

    it(`gives up after ${MAX_ATTEMPTS} attempts; a retry through the API sends it`, async () => {
      await smtp.stop();
      let now = new Date('2031-04-01T00:00:00Z');
      t.clock.setNow(now);
      const id = await enqueue({ to: 'gives-up@example.com', customerId: null });
      for (let i = 1; i <= MAX_ATTEMPTS; i++) {
        const report = await dispatcher.deliverDue();
        expect(report.claimed).toBe(1);
        now = new Date(now.getTime() + 61 * MINUTE);
        t.clock.setNow(now);
      }
      const r = await row(id);
      expect(r).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS });
      expect((await dispatcher.deliverDue()).claimed).toBe(0);

      port = await smtp.start(port);
      t.clock.setNow(new Date()); // back to the present, where the admin's token is valid
      const res = await t.http.post(`/api/v1/outbox/${id}/retry`).set(t.auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await dispatcher.deliverDue()).toMatchObject({ claimed: 1, sent: 1 });
      expect(sentTo('gives-up@example.com')).toHaveLength(1);
      expect((await t.http.get(`/api/v1/outbox/${id}`).set(t.auth)).body).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    });

    it('fails at once when the server refuses the recipient for good', async () => {
      const id = await enqueue({ to: 'nobody@reject.test' });
      expect(await dispatcher.deliverDue()).toMatchObject({ claimed: 1, failed: 1 });
      const r = await row(id);
      expect(r).toMatchObject({ status: 'failed', attempts: 1 });
      expect(r.lastError).toMatch(/550/);
    });

    it('takes over a row whose sender died (expired lease), but not one still leased', async () => {
      const id = await enqueue({ to: 'lease@example.com' });
      const now = t.clock.now();
      await t.dataSource
        .getRepository(OutboxEmailEntity)
        .update({ id }, { status: 'sending', leaseUntil: new Date(now.getTime() + 30_000) });
      expect((await dispatcher.deliverDue()).claimed).toBe(0);
      t.clock.setNow(new Date(now.getTime() + 31_000));
      expect(await dispatcher.deliverDue()).toMatchObject({ claimed: 1, sent: 1 });
      expect(sentTo('lease@example.com')).toHaveLength(1);
    });

    it('escapes markup of a customer name in the HTML part; the text part keeps it as typed', async () => {
      const name = '<b>Bad & "Co"</b><script>alert(1)</script>';
      const id = await enqueue({
        to: 'markup@example.com',
        subject: `Welcome ${name}`,
        template: 'login-details',
        context: {
          customerName: name,
          username: 'bad',
          setPasswordUrl: 'http://localhost:3000/set-password/x?a=1&b=2',
          expiresAt: null,
          passwordWasSet: false,
        },
      });
      expect(await dispatcher.deliverDue()).toMatchObject({ sent: 1 });
      const m = parts(sentTo('markup@example.com')[0].raw);
      expect(m.html).toContain('&lt;b&gt;Bad &amp; &quot;Co&quot;&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(m.html).not.toContain('<script>');
      expect(m.html).not.toContain('<b>Bad');
      expect(m.html).toContain('href="http://localhost:3000/set-password/x?a&#x3D;1&amp;b&#x3D;2"');
      expect(m.text).toContain(`An account has been opened for ${name}.`);
      expect((await row(id)).bodyText).toContain(`opened for ${name}.`);
    });
  });
});
