import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxDispatcher } from '../../src/modules/notifications/outbox.dispatcher';
import { DataSource } from 'typeorm';
import { InvoiceRunsService } from '../../src/modules/invoicing/invoice-runs.service';
import { callId, callTree, cdrBody, postCdr, update, type CallTree } from '../factories/calls';
import { insertPerson } from '../factories/rows';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { attachments, header, TestSmtp } from '../helpers/smtp';
import { fatalRules, validateEn16931, validateUblSchema } from '../helpers/ubl-validation';

function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'invoice-pdf-'));
  try {
    writeFileSync(join(dir, 'a.pdf'), pdf);
    const run = spawnSync('pdftotext', ['-layout', join(dir, 'a.pdf'), '-'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`pdftotext failed: ${run.stderr}`);
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Buffers a binary response body (supertest parses only text types by itself). */
const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** Issued invoices as documents: PDF read back, UBL XML validated against the schema and EN 16931, emailed. */
describe(`invoice documents on ${testDatabaseKind()}`, () => {
  const smtp = new TestSmtp();
  let t: TestApp;
  let tree: CallTree;
  const at = (iso: string) => t.clock.setNow(new Date(iso));
  const xmls: Record<string, string> = {};

  async function download(id: number, format: 'pdf' | 'xml', auth = t.auth) {
    return t.http.get(`/api/v1/invoices/${id}/${format}`).set(auth).buffer(true).parse(binary);
  }
  const invoicesOf = async (customerId: number) =>
    (await t.http.get('/api/v1/invoices').query({ customerId }).set(t.auth)).body.items as Array<Record<string, any>>;

  beforeAll(async () => {
    const port = await smtp.start();
    t = await startTestApp({ TEST_CLOCK: 'true', SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Billing <billing@test.example>' });
    at('2026-10-05T08:00:00Z');
    tree = await callTree(t, { customerCredit: '100.00' });
    await update(t, tree.customer.id, {
      createdAt: new Date('2026-10-01T00:00:00Z'),
      timezone: 'Europe/Warsaw',
      name: 'Łódź Café <Sp. z o.o.> & Co',
      email: 'accounts@lodz.example',
      addressLine1: 'ul. Piotrkowska 120',
      addressCity: 'Łódź',
      addressPostcode: '90-006',
      addressCountry: 'PL',
      taxReference: 'PL7251234567',
      invoiceDetail: 'calls',
      invoiceFormat: 'xml',
      sendInvoices: true,
    });
    await update(t, tree.reseller.id, {
      createdAt: new Date('2026-10-01T00:00:00Z'),
      timezone: 'UTC',
      name: 'Northwind Telecom',
      addressLine1: '12 Harbour Street',
      addressCity: 'Bristol',
      addressPostcode: 'BS1 4DJ',
      addressCountry: 'GB',
      taxReference: 'GB123456789',
      invoiceDetail: 'destinations',
      sendInvoices: false,
    });
    at('2026-10-13T08:00:00Z');
    for (const [seconds, day] of [[61, 10], [30, 11], [125, 12]] as const) {
      const res = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, callId(), seconds, new Date(`2026-10-${day}T10:00:00Z`)));
      expect(res.status).toBe(201);
    }
    at('2026-11-01T05:00:00Z');
    expect((await t.http.post('/api/v1/invoice-runs').set(t.auth).send({})).status).toBe(202);
    await t.app.get(InvoiceRunsService).idle();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it('the PDF shows the parties, the period, every call in the customer zone and the totals', async () => {
    const [invoice] = await invoicesOf(tree.customer.id);
    const res = await download(invoice.id as number, 'pdf');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="invoice-${invoice.number as string}.pdf"`);
    const text = pdfText(res.body as Buffer);
    for (const expected of [invoice.number, 'Łódź Café <Sp. z o.o.> & Co', 'ul. Piotrkowska 120', '2026-10-01', '2026-10-31', '7.20']) {
      expect(text).toContain(expected);
    }
    // Itemised calls, started 10:00 UTC = 12:00 in Warsaw (CEST).
    expect(text).toContain('2026-10-10 12:00:00');
    expect(text.match(/442079460000/g)?.length).toBe(3);
  });

  it('the XML is a valid UBL 2.1 invoice that breaks no EN 16931 rule; so are the reseller’s, a credit note’s and an empty period’s', async () => {
    const [invoice] = await invoicesOf(tree.customer.id);
    const [reseller] = await invoicesOf(tree.reseller.id);
    const note = await t.http
      .post(`/api/v1/invoices/${invoice.id as number}/credit-notes`)
      .set(await insertPerson(t, tree.reseller.id, { username: `doc-${Date.now()}`, displayName: 'Admin' }))
      .send({ amount: '1.20', reason: 'A call billed twice' });
    expect(note.status).toBe(201);
    at('2026-12-01T05:00:00Z');
    expect((await t.http.post('/api/v1/invoice-runs').set(await insertPerson(t, 1, { username: `own-${Date.now()}`, displayName: 'A' })).send({})).status).toBe(202);
    await t.app.get(InvoiceRunsService).idle();
    const empty = (await invoicesOf(tree.customer.id)).find((i) => i.periodStart === '2026-11-01')!;
    expect(empty.lines).toEqual([]);

    for (const [name, id] of [
      ['customer', invoice.id],
      ['reseller', reseller.id],
      ['creditNote', note.body.id],
      ['empty', empty.id],
    ] as const) {
      const res = await download(id as number, 'xml', await insertPerson(t, 1, { username: `x-${name}-${Date.now()}`, displayName: 'A' }));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/xml/);
      xmls[name] = (res.body as Buffer).toString('utf8');
      expect(validateUblSchema(xmls[name]).ok).toBe(true);
    }
    expect(xmls.creditNote).toContain('<CreditNote');
    expect(xmls.creditNote).toContain(`<cbc:ID>${invoice.number as string}</cbc:ID>`);
    expect(xmls.customer).toContain('<cbc:PayableAmount currencyID="EUR">0.00</cbc:PayableAmount>'); // prepaid from the balance
    expect(xmls.reseller).toMatch(/<cbc:PayableAmount currencyID="EUR">[1-9]/); // postpaid: due
    expect(xmls.customer).toContain('Łódź Café &lt;Sp. z o.o.&gt; &amp; Co');
    const names = Object.keys(xmls);
    const results = validateEn16931(names.map((n) => xmls[n]));
    names.forEach((name, i) => expect(fatalRules(results[i], name)).toEqual([]));
  }, 120_000);

  it('emails the invoice with the format the customer chose attached, only when its setting says so', async () => {
    // Sent after the run's commits, by the dispatcher's after-commit pass (or its timer): wait for it.
    const dispatcher = t.app.get(OutboxDispatcher);
    for (let i = 0; i < 200 && !smtp.messages.some((m) => m.rcpt.includes('accounts@lodz.example')); i++) {
      await dispatcher.whenIdle();
      await dispatcher.deliverDue();
      await new Promise((r) => setTimeout(r, 50));
    }
    const invoice = (await invoicesOf(tree.customer.id)).find((i) => i.periodStart === '2026-10-01')!;
    const mails = smtp.messages.filter((m) => m.rcpt.includes('accounts@lodz.example'));
    const mail = mails.find((m) => header(m.raw, 'Subject')?.startsWith(`Invoice ${invoice.number as string} `));
    expect(mail).toBeDefined();
    expect(header(mail!.raw, 'Subject')).toBe(`Invoice ${invoice.number as string} from Northwind Telecom`);
    const files = attachments(mail!.raw);
    expect(files.map((a) => [a.filename, a.contentType])).toEqual([[`invoice-${invoice.number as string}.xml`, 'application/xml']]);
    expect(files[0].content.toString('utf8')).toContain(`<cbc:ID>${invoice.number as string}</cbc:ID>`);
    // The reseller said no.
    expect(smtp.messages.filter((m) => m.raw.includes(`Invoice `) && m.rcpt.some((r) => r.startsWith('admin')))).toEqual([]);
  });

  it('the run keeps both documents as issued; downloads send those bytes; a missing one is rendered identically and kept', async () => {
    const ds = t.app.get(DataSource);
    const kept = async (id: number) =>
      ((await ds.query('SELECT format, content FROM invoice_documents WHERE invoice_id = ? ORDER BY format', [id])) as Array<{ format: string; content: Buffer }>).map(
        (r) => [r.format, Buffer.from(r.content)] as const,
      );
    for (const customerId of [tree.customer.id, tree.reseller.id]) {
      for (const invoice of await invoicesOf(customerId)) {
        const id = invoice.id as number;
        const before = await kept(id);
        // Invoices come from runs, which keep both; a credit note keeps what has been downloaded (its XML above).
        expect(before.map(([f]) => f)).toEqual(invoice.type === 'invoice' ? ['pdf', 'xml'] : ['xml']);
        for (const [format, bytes] of before) expect(Buffer.compare((await download(id, format as 'pdf' | 'xml')).body as Buffer, bytes)).toBe(0);
        // Rendered from the invoice read back (as for an invoice issued before documents were kept): the same bytes.
        await ds.query('DELETE FROM invoice_documents WHERE invoice_id = ?', [id]);
        for (const [format, bytes] of before) expect(Buffer.compare((await download(id, format as 'pdf' | 'xml')).body as Buffer, bytes)).toBe(0);
        expect(await kept(id)).toEqual(before);
      }
    }
  });

  it("another branch's invoice document is a 404", async () => {
    const [invoice] = await invoicesOf(tree.customer.id);
    const other = await callTree(t);
    for (const format of ['pdf', 'xml']) {
      const res = await t.http.get(`/api/v1/invoices/${invoice.id as number}/${format}`).set(other.reseller.auth);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    expect((await t.http.get('/api/v1/invoices/999999/pdf').set(t.auth)).status).toBe(404);
  });
});
