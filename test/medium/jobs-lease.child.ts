/**
 * One application instance for jobs-lease.spec.ts, run as a child process (loaded through
 * jobs-lease.transpile.js) on the database in DATABASE_URL, which the test has migrated and seeded.
 * It registers the job `probe`, which writes a start row and an end row into `job_probe` around
 * PROBE_WORK_MS of work, and tells the test over IPC when it is ready and whenever a run starts.
 */
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { JobRunner } from '../../src/shared/jobs/job-runner';

const num = (name: string): number => {
  const value = Number(process.env[name]);
  if (!Number.isFinite(value)) throw new Error(`${name} is not set`);
  return value;
};

async function main(): Promise<void> {
  // When the test process goes away, so does this one (no orphans ticking on a dropped database).
  process.on('disconnect', () => process.exit(0));
  const app = await createApp();
  const tx = app.get(TransactionRunner);
  const dataSource = app.get(DataSource);
  const runner = app.get(JobRunner);
  const record = (event: 'start' | 'end') =>
    tx.run(async (em) => {
      await em.query('INSERT INTO job_probe (pid, event, at_ms) VALUES (?, ?, ?)', [process.pid, event, Date.now()]);
    });
  const workMs = num('PROBE_WORK_MS');
  runner.register({
    name: 'probe',
    everyMs: num('PROBE_EVERY_MS'),
    leaseMs: num('PROBE_LEASE_MS'),
    run: async () => {
      await record('start');
      process.send?.({ event: 'start', pid: process.pid });
      await new Promise((resolve) => setTimeout(resolve, workMs));
      await record('end');
    },
  });
  await app.init();
  process.send?.({ event: 'ready', pid: process.pid, holder: runner.holder, driver: dataSource.options.type });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
