/**
 * A UTC instant as a `datetime(3)` parameter of raw SQL: 'YYYY-MM-DD HH:MM:SS.mmm'. better-sqlite3 cannot
 * bind a Date, and mysql2 would format one in the connection's time zone; this text is the same on both
 * and sorts like the instant.
 */
export function sqlInstant(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
