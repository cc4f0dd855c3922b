/**
 * Writes the OpenAPI document of the application to the file named by the first argument (run by
 * scripts/openapi-document.sh, which passes a clean environment). The app is built on a throwaway SQLite
 * database with the test clock off, exactly as a production start would describe itself.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { createApp } from '../src/app.factory';
import { buildOpenApiDocument } from '../src/openapi';

async function main(out: string | undefined): Promise<void> {
  if (!out) throw new Error('usage: openapi-document.ts OUTPUT.json');
  const app = await createApp();
  try {
    writeFileSync(out, JSON.stringify(buildOpenApiDocument(app), null, 2) + '\n');
  } finally {
    await app.close();
  }
}

main(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
