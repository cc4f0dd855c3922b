import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Reading an entity's row as part of a hand-written statement (a join into a query that reads other
 * things too, to save a round trip): `selectColumns` lists its columns under a prefix, `hydrate` turns
 * them back into the entity exactly as TypeORM would (driver conversion, then column transformers).
 */
export function selectColumns<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  alias: string,
  prefix: string,
): string {
  const meta = dataSource.getMetadata(target);
  // Built once per entity, alias and prefix: the statements that use it run on hot paths (a customer create).
  let cache = selectLists.get(dataSource);
  if (!cache) selectLists.set(dataSource, (cache = new Map()));
  const key = `${meta.tableName}:${alias}:${prefix}`;
  let list = cache.get(key);
  if (list === undefined) {
    const q = (name: string) => dataSource.driver.escape(name);
    list = meta.columns.map((c) => `${alias}.${q(c.databaseName)} AS ${q(prefix + c.databaseName)}`).join(', ');
    cache.set(key, list);
  }
  return list;
}
const selectLists = new WeakMap<DataSource, Map<string, string>>();

/** The entity from a row holding `selectColumns(…, prefix)`; null when its primary key is null (no row joined). */
export function hydrate<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  raw: Record<string, unknown>,
  prefix: string,
): T | null {
  const meta = dataSource.getMetadata(target);
  if (meta.primaryColumns.some((c) => raw[prefix + c.databaseName] === null || raw[prefix + c.databaseName] === undefined)) return null;
  const entity = meta.create() as T;
  for (const column of meta.columns) {
    column.setEntityValue(entity, dataSource.driver.prepareHydratedValue(raw[prefix + column.databaseName], column));
  }
  return entity;
}
