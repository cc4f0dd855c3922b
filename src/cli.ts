import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './config/config';
import { dataSourceOptions, detectDatabaseFlavour } from './database/data-source-options';
import { BillingBalances } from './modules/billing/billing.api';

/**
 * Operator commands: `npm run migrate` (apply pending migrations without starting the server),
 * `npm run cli -- migrations` (list them with their state), `npm run cli -- verify-ledger` (check that
 * every balance is the sum of its transactions: prints each difference and exits 1 if there is any).
 */
async function main(command: string): Promise<number> {
  const config = loadConfig();
  const ds = new DataSource(dataSourceOptions(await detectDatabaseFlavour(config.database)));
  await ds.initialize();
  try {
    switch (command) {
      case 'migrate': {
        const applied = await ds.runMigrations({ transaction: 'each' });
        process.stdout.write(applied.length ? applied.map((m) => `applied ${m.name}\n`).join('') : 'database is up to date\n');
        return 0;
      }
      case 'migrations': {
        const executed = new Set(
          ((await ds.query(`SELECT name FROM ${ds.driver.escape('migrations')}`).catch(() => [])) as Array<{ name: string }>).map((r) => r.name),
        );
        for (const m of ds.migrations) process.stdout.write(`${executed.has(m.name ?? '') ? '[x]' : '[ ]'} ${m.name}\n`);
        return 0;
      }
      case 'verify-ledger': {
        const differences = await new BillingBalances().verify(ds.manager);
        for (const d of differences) {
          const balance = d.balance === null ? 'no balance row' : `balance ${d.balance.toString()}`;
          const off = d.balance === null ? '' : `, off by ${d.balance.minus(d.sum).toString()}`;
          process.stdout.write(`customer ${d.customerId}: ${balance}, sum of ${d.transactions} transactions ${d.sum.toString()}${off}\n`);
        }
        if (differences.length) {
          process.stdout.write(`ledger differs from the balances of ${differences.length} customer(s)\n`);
          return 1;
        }
        process.stdout.write('ledger OK: every balance is the sum of its transactions\n');
        return 0;
      }
      default:
        process.stderr.write('usage: node dist/src/cli.js <migrate|migrations|verify-ledger>\n');
        return 2;
    }
  } finally {
    await ds.destroy();
  }
}

main(process.argv[2] ?? '').then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
