import { MigrationInterface, QueryRunner } from 'typeorm';
import { isSqlite } from '../dialect';

/**
 * Finds kept mails that still lack their rendered text (`body_text IS NULL`: a failed render, a row of
 * another instance or an older version) without reading every kept mail. TypeORM's index API has
 * neither partial nor prefix indexes, so each database gets the one that fits it: on SQLite a partial
 * index holding only the rows without text; on MariaDB/MySQL (no partial indexes) the status and the
 * first character of the text, enough to tell NULL apart. The entity declares the name with
 * `synchronize: false` so that TypeORM leaves it alone.
 */

export class OutboxUnrenderedIndex1764400000000 implements MigrationInterface {
  name = 'OutboxUnrenderedIndex1764400000000';

  async up(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) {
      await q.query('CREATE INDEX "IDX_outbox_unrendered" ON "outbox_emails" ("status", "id") WHERE "body_text" IS NULL');
    } else {
      await q.query('CREATE INDEX `IDX_outbox_unrendered` ON `outbox_emails` (`status`, `body_text`(1))');
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) {
      await q.query('DROP INDEX "IDX_outbox_unrendered"');
    } else {
      await q.query('DROP INDEX `IDX_outbox_unrendered` ON `outbox_emails`');
    }
  }
}
