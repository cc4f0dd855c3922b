import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { OutboxDispatcher } from '../../src/modules/notifications/outbox.dispatcher';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { startTestApp, TestApp } from '../helpers/app';
import { recordStatements } from '../helpers/statements';
import { LOW_BALANCE_CONTEXT, outboxRowValues } from '../factories/outbox';

/**
 * Without SMTP every mail is kept with the text rendered at enqueue time. What it costs the writers:
 * nothing after the commit, and a cheap indexed look for kept mails without text on the timer only.
 */
describe('kept outbox: what a commit and the timer cost', () => {
  let t: TestApp;
  let outbox: OutboxService;
  let dispatcher: OutboxDispatcher;
  let tx: TransactionRunner;
  let record: ReturnType<typeof recordStatements>;
  const mysql = () => t.dataSource.options.type !== 'better-sqlite3';
  const statements = async (fn: () => Promise<unknown>): Promise<string[]> => (await record(fn)).map((s) => s.sql);

  const context = LOW_BALANCE_CONTEXT;
  const enqueue = (to: string) =>
    tx.run((em) => outbox.enqueue(em, { customerId: null, to, subject: 'Low balance', template: 'low-balance', context }));
  /** Rows as another instance or an older version could leave them: kept, with or without text. */
  async function insertKept(count: number, bodyText: string | null): Promise<number[]> {
    const rows = Array.from({ length: count }, (_, i) =>
      outboxRowValues(t, { status: 'kept', toAddress: `row${i}@example.com`, bodyText }),
    );
    const res = await t.dataSource.getRepository(OutboxEmailEntity).insert(rows);
    return res.identifiers.map((i) => Number(i.id));
  }
  const bodyOf = async (id: number) => (await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ id })).bodyText;

  beforeAll(async () => {
    t = await startTestApp();
    outbox = t.app.get(OutboxService);
    dispatcher = t.app.get(OutboxDispatcher);
    tx = t.app.get(TransactionRunner);
    // The test drives the timer's passes itself (poll()), so that they never fall into a counted window.
    t.app.get(SchedulerRegistry).deleteInterval('outbox-dispatch');
    await dispatcher.whenIdle();
    record = recordStatements(t.dataSource);
  });
  afterAll(() => t.close());

  it('sends no statement after a commit that queued a mail (the text is already there)', async () => {
    let id = 0;
    const sent = await statements(async () => {
      id = await enqueue('commit@example.com');
      await new Promise((resolve) => setImmediate(resolve));
      await dispatcher.whenIdle();
    });
    const commit = sent.findIndex((s) => /^\s*COMMIT/i.test(s));
    expect(sent.slice(0, commit).some((s) => /^\s*INSERT INTO\W+outbox_emails/i.test(s))).toBe(true);
    expect(commit).toBeGreaterThan(0);
    expect(sent.slice(commit + 1)).toEqual([]);
    expect(await bodyOf(id)).toContain('The balance of Row is 1.00 EUR');
  });

  it('renders kept mails without text on the timer, not after commits', async () => {
    const [orphan] = await insertKept(1, null);
    await enqueue('another@example.com');
    await new Promise((resolve) => setImmediate(resolve));
    await dispatcher.whenIdle();
    expect(await bodyOf(orphan)).toBeNull();
    dispatcher.poll();
    await dispatcher.whenIdle();
    expect(await bodyOf(orphan)).toContain('The balance of Row is 1.00 EUR');
  });

  it('renders a limited number per timer pass, and all of them on dispatchOnce', async () => {
    const ids = await insertKept(520, null);
    dispatcher.poll();
    await dispatcher.whenIdle();
    const stillEmpty = async () => {
      let n = 0;
      for (const id of ids) if ((await bodyOf(id)) === null) n++;
      return n;
    };
    expect(await stillEmpty()).toBe(20);
    expect((await dispatcher.dispatchOnce()).rendered).toBe(20);
    expect(await stillEmpty()).toBe(0);
  });

  it('finds kept mails without text through IDX_outbox_unrendered, not by reading every kept mail', async () => {
    await insertKept(300, 'already rendered');
    await insertKept(2, null);
    if (mysql()) await t.dataSource.query('ANALYZE TABLE outbox_emails');
    else await t.dataSource.query('ANALYZE');
    const sent = await record(() => dispatcher.renderKept(1));
    const select = sent.find((s) => /^\s*SELECT/i.test(s.sql) && /body_text/i.test(s.sql))!;
    expect(select).toBeDefined();
    const plan = (await t.dataSource.query(`${mysql() ? 'EXPLAIN' : 'EXPLAIN QUERY PLAN'} ${select.sql}`, select.params)) as Array<
      Record<string, unknown>
    >;
    const used = mysql() ? plan.map((r) => r.key) : plan.map((r) => r.detail);
    expect(used.join(' ')).toMatch(/IDX_outbox_unrendered/);
    await dispatcher.dispatchOnce();
  });
});
