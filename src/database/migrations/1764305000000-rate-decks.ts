import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';
import { bigint, id, int, timestamp, varchar } from '../migration-columns';

const idx = (name: string, columnNames: string[], isUnique = false) => new TableIndex({ name, columnNames, isUnique });
const fk = (columnNames: string[], referencedTableName: string) =>
  new TableForeignKey({ columnNames, referencedTableName, referencedColumnNames: ['id'], onDelete: 'RESTRICT', onUpdate: 'NO ACTION' });

/**
 * Rates of rate plans, grouped in decks. A deck is one complete set of a plan's rates that is in force
 * from `effective_from` until the next deck of the plan takes over; an import makes a new deck, so a
 * deck can be loaded today and take effect later. `rate_plans.rates_version` changes with every change
 * of a plan's rates, so caches of rate indexes can check freshness with the plan row they read anyway.
 */
export class RateDecks1764305000000 implements MigrationInterface {
  name = 'RateDecks1764305000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('rate_plans', new TableColumn(int('rates_version', { default: 0 })));
    await q.createTable(
      new Table({
        name: 'rate_decks',
        columns: [
          id(),
          int('plan_id'),
          timestamp('effective_from'),
          int('rate_count', { default: 0 }),
          int('version', { default: 0 }),
          varchar('source', 10),
          int('created_by_person_id', { nullable: true }),
          timestamp('created_at'),
        ],
        indices: [idx('IDX_rate_decks_plan_from', ['plan_id', 'effective_from'])],
        foreignKeys: [fk(['plan_id'], 'rate_plans')],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'rates',
        columns: [
          id(),
          int('deck_id'),
          int('plan_id'),
          varchar('prefix', 20),
          varchar('destination', 100),
          varchar('direction', 8),
          bigint('connect_fee'),
          int('included_seconds'),
          bigint('per_minute'),
          int('first_block'),
          int('increment'),
          bigint('minimum_charge'),
          bigint('per_message'),
          varchar('days', 7, { nullable: true }),
          varchar('start_time', 5, { nullable: true }),
          varchar('end_time', 5, { nullable: true }),
          int('priority'),
          timestamp('valid_from', { nullable: true }),
          timestamp('valid_until', { nullable: true }),
        ],
        indices: [idx('IDX_rates_deck_prefix', ['deck_id', 'prefix']), idx('IDX_rates_plan', ['plan_id'])],
        foreignKeys: [fk(['deck_id'], 'rate_decks')],
      }),
      false,
      true,
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('rates', true, true, true);
    await q.dropTable('rate_decks', true, true, true);
    await q.dropColumn('rate_plans', 'rates_version');
  }
}
