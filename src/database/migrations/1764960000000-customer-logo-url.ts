import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A customer's logo (an https URL, optional): the login-details emails a reseller's (or the system
 * owner's) customers get carry their issuer's logo when it has one. Added in place (SQLite would
 * otherwise copy the whole customers table to add a nullable column).
 */
export class CustomerLogoUrl1764960000000 implements MigrationInterface {
  name = 'CustomerLogoUrl1764960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE customers ADD COLUMN logo_url varchar(500) NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE customers DROP COLUMN logo_url');
  }
}
