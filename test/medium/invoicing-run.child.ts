/**
 * One application instance for invoicing-processes.spec.ts, run as a child process (loaded through
 * jobs-lease.transpile.js) on the database in DATABASE_URL, which the test has migrated and filled.
 * It sets its test clock to RUN_AT, starts one invoice run as POST /invoice-runs does, reports its id
 * over IPC, and reports again when the run has finished.
 */
import { createApp } from '../../src/app.factory';
import { InvoiceRunsService } from '../../src/modules/invoicing/invoice-runs.service';
import { Clock } from '../../src/shared/clock';

async function main(): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  const app = await createApp();
  await app.init();
  app.get(Clock).setNow(new Date(process.env.RUN_AT ?? ''));
  const runs = app.get(InvoiceRunsService);
  process.send?.({ event: 'ready', pid: process.pid });
  process.on('message', (message: { start?: boolean }) => {
    if (!message.start) return;
    void (async () => {
      const run = await runs.start(undefined, null);
      process.send?.({ event: 'started', runId: run.id });
      await runs.idle();
      process.send?.({ event: 'finished', runId: run.id });
    })();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
