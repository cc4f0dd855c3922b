import type { TableColumnOptions } from 'typeorm';

/**
 * Column shapes for migrations, portable between MariaDB and SQLite through TypeORM's schema builder.
 * Migrations use these instead of entity metadata so that a migration, once released, never changes.
 */
type Opts = { nullable?: boolean; default?: string | number | boolean };
const col = (name: string, type: string, extra: Partial<TableColumnOptions>, o: Opts = {}): TableColumnOptions => ({
  name,
  type,
  isNullable: o.nullable ?? false,
  ...(o.default !== undefined ? { default: o.default } : {}),
  ...extra,
});

export const id = (name = 'id'): TableColumnOptions => ({
  name,
  // 'integer' so SQLite makes it the rowid alias (AUTOINCREMENT needs exactly that); MySQL reads it as int.
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});
export const int = (name: string, o?: Opts) => col(name, 'integer', {}, o);
export const bigint = (name: string, o?: Opts) => col(name, 'bigint', {}, o);
export const varchar = (name: string, length: number, o?: Opts) => col(name, 'varchar', { length: String(length) }, o);
// Defaults as 0/1: both databases store booleans as integers and report the default that way.
export const bool = (name: string, o?: Opts) =>
  col(name, 'boolean', {}, { ...o, default: typeof o?.default === 'boolean' ? Number(o.default) : o?.default });
export const text = (name: string, o?: Opts) => col(name, 'text', {}, o);
/** UTC instant with milliseconds. */
export const timestamp = (name: string, o?: Opts) => col(name, 'datetime', { precision: 3 }, o);
