import type { EntityManager } from 'typeorm';
import { isSqlite } from './dialect';

/**
 * `column = :param`, comparing ignoring case on both databases, in the form their unique indexes answer
 * with one lookup: MariaDB's collation ignores case already; on SQLite the indexes on login names and
 * account numbers are built COLLATE NOCASE (migrations), and the comparison must say so to use them.
 * (LOWER(column) = LOWER(:param) gives the same answer but reads the whole index, on both.)
 */
export function equalsIgnoringCase(em: EntityManager, column: string, param: string): string {
  return isSqlite(em) ? `${column} = :${param} COLLATE NOCASE` : `${column} = :${param}`;
}
