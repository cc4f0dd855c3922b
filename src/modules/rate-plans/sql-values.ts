/**
 * Values for the raw SQL of the bulk paths (import, export, index building), written and read exactly as
 * TypeORM writes and reads the same columns, so entity reads and raw reads agree on both databases.
 */

/** A UTC instant as TypeORM stores `datetime` columns: "2026-01-01 00:00:00.000" (the kernel's one function). */
export { sqlInstant } from '../../database/sql-instant';

/** Reads a `datetime` column from a raw row: mysql2 gives a Date (timezone 'Z'), better-sqlite3 the stored text. */
export function readInstant(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const s = String(v);
  const iso = s.includes('T') ? s : s.replace(' ', 'T');
  return new Date(/Z|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
}

/** Reads an integer column (mysql2 may give BIGINT/aggregates as strings). */
export function readInt(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** The start of time: a plan's first deck applies to every earlier call too. */
export const BEGINNING_OF_TIME = new Date(0);
