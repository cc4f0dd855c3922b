import type { DataSource } from 'typeorm';

export interface SentStatement {
  sql: string;
  params: unknown[];
}

/**
 * Records the SQL statements TypeORM sends (through its logger, as the bench counts them) while a function
 * runs: `const statements = recordStatements(t.dataSource); const sent = await statements(() => ...)`.
 */
export function recordStatements(dataSource: DataSource): (fn: () => Promise<unknown>) => Promise<SentStatement[]> {
  let recording: SentStatement[] | null = null;
  const logger = dataSource.logger;
  const original = logger.logQuery.bind(logger);
  logger.logQuery = (query, parameters, queryRunner) => {
    recording?.push({ sql: query, params: Array.isArray(parameters) ? parameters : [] });
    return original(query, parameters, queryRunner);
  };
  return async (fn) => {
    const list: SentStatement[] = [];
    recording = list;
    try {
      await fn();
    } finally {
      recording = null;
    }
    return list;
  };
}
