import { availableParallelism } from 'node:os';
import { ConfigError } from '../../config/config';

/**
 * Invoicing settings from the environment, read once when the module starts (a bad value stops the start
 * with a message naming the variable):
 *
 * - `INVOICE_RUN_TIME` (default `02:00`): local time, in the system time zone (Settings), after which the
 *   nightly invoice run starts. The run is checked for every `INVOICE_RUN_CHECK_SECONDS` (default 60) on
 *   the application clock, so the test clock drives it too, and a day the platform was down is caught up
 *   by the next run (each run invoices every period that has ended by its date).
 * - `INVOICE_NUMBER_PREFIX` (default `INV-`): the prefix of the numbers of an issuer's first invoice; each
 *   issuer's prefix is kept with its counter.
 * - `INVOICE_RUN_CONCURRENCY` (default 4): customers a run invoices at the same time, each in its own
 *   transaction. MariaDB works on them in parallel while this process renders documents; on SQLite the
 *   transactions queue anyway. 1 invoices one customer after the other.
 * - `INVOICE_RENDER_THREADS` (default: the number of CPUs less one, at least 1): worker threads that render
 *   invoice PDFs and XML, so documents use the cores the database work leaves; 0 renders in the main thread.
 * - `INVOICE_DEFAULT_COUNTRY` (default `GB`): ISO 3166-1 alpha-2 country shown on documents whose issuer and
 *   customer both have no country in their address (EN 16931 requires one for each party).
 */
export interface InvoicingConfig {
  runAt: { hour: number; minute: number };
  checkEveryMs: number;
  numberPrefix: string;
  defaultCountry: string;
  runConcurrency: number;
  renderThreads: number;
}

export const INVOICING_CONFIG = Symbol('INVOICING_CONFIG');

/**
 * Deleted customers are still invoiced for the period they were deleted in, and charged the rest of an
 * unfinished minimum contract: the run and the fees job look at customers deleted within this long
 * (longer than the longest billing period).
 */
export const DELETED_LOOKBACK_MS = 400 * 86_400_000;

export function loadInvoicingConfig(env: NodeJS.ProcessEnv = process.env): InvoicingConfig {
  const time = (env.INVOICE_RUN_TIME ?? '02:00').trim();
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) throw new ConfigError(`INVOICE_RUN_TIME: "${time}" is not a time of day as HH:MM (00:00 to 23:59)`);
  const checkRaw = (env.INVOICE_RUN_CHECK_SECONDS ?? '60').trim();
  if (!/^\d{1,5}$/.test(checkRaw) || Number(checkRaw) < 1)
    throw new ConfigError(`INVOICE_RUN_CHECK_SECONDS: "${checkRaw}" is not a whole number of seconds from 1 to 99999`);
  const prefix = env.INVOICE_NUMBER_PREFIX ?? 'INV-';
  if (prefix.length > 20 || !/^[A-Za-z0-9/_.-]*$/.test(prefix))
    throw new ConfigError(`INVOICE_NUMBER_PREFIX: "${prefix}" must be at most 20 letters, digits or - _ . /`);
  const country = (env.INVOICE_DEFAULT_COUNTRY ?? 'GB').trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new ConfigError(`INVOICE_DEFAULT_COUNTRY: "${country}" is not an ISO 3166-1 alpha-2 country code`);
  const concurrencyRaw = (env.INVOICE_RUN_CONCURRENCY ?? '4').trim();
  if (!/^\d{1,2}$/.test(concurrencyRaw) || Number(concurrencyRaw) < 1 || Number(concurrencyRaw) > 32)
    throw new ConfigError(`INVOICE_RUN_CONCURRENCY: "${concurrencyRaw}" is not a whole number from 1 to 32`);
  const threadsRaw = (env.INVOICE_RENDER_THREADS ?? String(Math.max(1, availableParallelism() - 1))).trim();
  if (!/^\d{1,2}$/.test(threadsRaw) || Number(threadsRaw) > 32)
    throw new ConfigError(`INVOICE_RENDER_THREADS: "${threadsRaw}" is not a whole number from 0 to 32`);
  return {
    runAt: { hour: Number(m[1]), minute: Number(m[2]) },
    checkEveryMs: Number(checkRaw) * 1000,
    numberPrefix: prefix,
    defaultCountry: country,
    runConcurrency: Number(concurrencyRaw),
    renderThreads: Number(threadsRaw),
  };
}
