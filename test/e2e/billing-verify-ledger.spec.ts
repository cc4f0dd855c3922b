import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { BillingApi } from '../../src/modules/billing/billing.api';
import { Money } from '../../src/shared/money';
import { credit, postToLedger } from '../factories/billing';
import { createCustomer, createReseller, type ResellerLogin } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { recordStatements } from '../helpers/statements';

const ROOT = join(__dirname, '..', '..');

/** `npm run cli -- verify-ledger`, run from the sources (the test's transpiler of the jobs-lease spec): exit code and output. */
function verifyLedgerCli(databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', join(ROOT, 'test/medium/jobs-lease.transpile.js'), join(ROOT, 'src/cli.ts'), 'verify-ledger'],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The ledger check: every balance is the sum of its transactions, or the customer is reported. */
describe(`billing: verify-ledger on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: ResellerLogin;
  let a: number;
  let b: number;
  let c: number;
  const verify = () => t.app.get(BillingApi).verifyLedger(t.dataSource.manager);

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth);
    [a, b, c] = await Promise.all([0, 1, 2].map(async () => (await createCustomer(t, reseller.auth)).id as number));
    await credit(t, reseller.auth, a, '10.00');
    await credit(t, reseller.auth, a, '2.50', 'payment');
    await postToLedger(t, { customerId: a, type: 'charge', amount: Money.of('-0.75'), description: 'Monthly fee' });
    await credit(t, reseller.auth, b, '4.00');
  });
  afterAll(() => t.close());

  it('finds nothing when every balance is the sum of its transactions, in one statement', async () => {
    const record = recordStatements(t.dataSource);
    let found: unknown;
    const sent = await record(async () => (found = await verify()));
    expect(found).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('reports a corrupted balance, a missing balance row and a balance without transactions', async () => {
    await t.dataSource.query('UPDATE balances SET balance = balance + 1000000 WHERE customer_id = ?', [a]);
    await t.dataSource.query('DELETE FROM balances WHERE customer_id = ?', [b]);
    await t.dataSource.query("INSERT INTO balances (customer_id, balance, updated_at) VALUES (?, 5000000, '2026-01-01 00:00:00.000')", [c]);
    expect(await verify()).toEqual(
      [
        { customerId: a, balance: Money.of('12.75'), sum: Money.of('11.75'), transactions: 3 },
        { customerId: b, balance: null, sum: Money.of('4.00'), transactions: 1 },
        { customerId: c, balance: Money.of('5.00'), sum: Money.ZERO, transactions: 0 },
      ].sort((x, y) => x.customerId - y.customerId),
    );

    const cli = await verifyLedgerCli(t.databaseUrl);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`customer ${a}: balance 12.75, sum of 3 transactions 11.75, off by 1.00\n`);
    expect(cli.stdout).toContain(`customer ${b}: no balance row, sum of 1 transactions 4.00\n`);
    expect(cli.stdout).toContain(`customer ${c}: balance 5.00, sum of 0 transactions 0.00, off by 5.00\n`);
    expect(cli.stdout).toContain('ledger differs from the balances of 3 customer(s)');

    // Mended: clean again, and the command says so with exit code 0.
    await t.dataSource.query('UPDATE balances SET balance = balance - 1000000 WHERE customer_id = ?', [a]);
    await t.dataSource.query("INSERT INTO balances (customer_id, balance, updated_at) VALUES (?, 4000000, '2026-01-01 00:00:00.000')", [b]);
    await t.dataSource.query('UPDATE balances SET balance = 0 WHERE customer_id = ?', [c]);
    expect(await verify()).toEqual([]);
    expect(await verifyLedgerCli(t.databaseUrl)).toEqual({
      code: 0,
      stdout: 'ledger OK: every balance is the sum of its transactions\n',
      stderr: '',
    });
  });
});
