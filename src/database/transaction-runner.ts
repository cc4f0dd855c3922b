import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isSqlite } from './dialect';

const MYSQL_RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
/**
 * SQLite refuses at once (without waiting out busy_timeout) a transaction that read first and then wants
 * to write while another process wrote meanwhile (WAL: SQLITE_BUSY_SNAPSHOT), or when waiting could
 * deadlock: the unit of work has rolled back and is simply run again. Only another process (the CLI
 * next to the server, or a second instance) causes these; within one process transactions are queued.
 */
const SQLITE_RETRYABLE = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED']);

/**
 * Runs units of work in a database transaction.
 * - SQLite: TypeORM's better-sqlite3 driver has one connection, so two open transactions would
 *   interleave on it; transactions are queued here, one at a time.
 * - MariaDB/MySQL: real concurrent transactions; a deadlock victim is retried a few times.
 */
@Injectable()
export class TransactionRunner {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  get isSqlite(): boolean {
    return isSqlite(this.dataSource);
  }

  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (this.isSqlite) {
      const result = this.queue.then(() => this.withRetries(work, SQLITE_RETRYABLE, 8));
      // Keep the queue going whatever this unit's outcome.
      this.queue = result.catch(() => undefined);
      return result;
    }
    return this.withRetries(work, MYSQL_RETRYABLE, 4);
  }

  private async withRetries<T>(work: (em: EntityManager) => Promise<T>, retryable: ReadonlySet<string>, attempts: number): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (err) {
        const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
        if (attempt >= attempts || !code || !retryable.has(code)) throw err;
        await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 20)));
      }
    }
  }
}

/** Recognised by the drivers' error codes: see dialect.ts. */
export { isUniqueViolation } from './dialect';
