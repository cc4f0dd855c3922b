import 'reflect-metadata';
import { loadConfig } from './config/config';
import { createApp } from './app.factory';
import { BootstrapService } from './modules/customers/customers.api';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp();
  await app.listen(config.port);
  const first = app.get(BootstrapService).firstStart;
  // Printed on stdout on purpose (not through the logger): this is what a person starting the app reads.
  const lines = [`VoIP Billing is running at ${config.publicUrl}/  (API docs: ${config.publicUrl}/api/docs)`];
  if (first) {
    lines.push(`Administrator login: ${first.username}`);
    lines.push(
      first.generatedPassword
        ? `Password (shown only this once, change it after logging in): ${first.generatedPassword}`
        : 'Password: the ADMIN_PASSWORD you set',
    );
  } else {
    lines.push(`Log in as ${config.adminUsername} (or any person you created).`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
