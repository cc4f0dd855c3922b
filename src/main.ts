import 'reflect-metadata';
import { loadConfig } from './config/config';
import { createApp } from './app.factory';
import { BootstrapService } from './modules/customers/customers.api';
import { startupBanner } from './shared/startup-banner';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp();
  await app.listen(config.port);
  // Written on stdout on purpose (not through the logger, whose level may hide it): this is what a person
  // starting the app reads. JSON lines when the log is JSON.
  process.stdout.write(startupBanner(config, app.get(BootstrapService).firstStart));
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
