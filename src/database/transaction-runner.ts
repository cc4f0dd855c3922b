import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isSqlite } from './dialect';

const MYSQL_RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

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
      const result = this.queue.then(() => this.dataSource.transaction(work));
      // Keep the queue going whatever this unit's outcome.
      this.queue = result.catch(() => undefined);
      return result;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (err) {
        const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
        if (attempt >= 4 || !code || !MYSQL_RETRYABLE.has(code)) throw err;
        await new Promise((r) => setTimeout(r, 10 * attempt + Math.floor(Math.random() * 20)));
      }
    }
  }
}

/** Recognised by the drivers' error codes: see dialect.ts. */
export { isUniqueViolation } from './dialect';
