import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { bigint, bool, id, int, text, timestamp, varchar } from '../migration-columns';

const idx = (name: string, columnNames: string[], isUnique = false) => new TableIndex({ name, columnNames, isUnique });
const fk = (columnNames: string[], referencedTableName: string) =>
  new TableForeignKey({ columnNames, referencedTableName, referencedColumnNames: ['id'], onDelete: 'RESTRICT', onUpdate: 'NO ACTION' });

/** The foundation: system settings, customer tree, identity, telephony, minimal rate plans, outbox, audit. */
export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const create = (t: Table) => q.createTable(t, false, true, true);

    await create(
      new Table({
        name: 'system_settings',
        columns: [
          { ...int('id'), isPrimary: true },
          bool('customer_prefixes', { default: false }),
          bool('regions', { default: false }),
          int('cost_plan_id', { nullable: true }),
          varchar('timezone', 64),
          varchar('currency', 3),
          varchar('csrf_secret', 128),
          timestamp('updated_at'),
        ],
      }),
    );
    await create(
      new Table({
        name: 'regions',
        columns: [id(), varchar('name', 100), timestamp('created_at')],
        indices: [idx('IDX_regions_name', ['name'], true)],
      }),
    );
    await create(
      new Table({
        name: 'dial_plans',
        columns: [
          id(),
          int('owner_customer_id'),
          varchar('name', 100),
          varchar('description', 500, { nullable: true }),
          timestamp('created_at'),
        ],
        indices: [idx('IDX_dial_plans_owner_name', ['owner_customer_id', 'name'], true)],
      }),
    );
    await create(
      new Table({
        name: 'exchange_rates',
        columns: [id(), varchar('currency', 3), varchar('rate', 40), timestamp('valid_from'), timestamp('created_at')],
        indices: [idx('IDX_exchange_rates_currency_from', ['currency', 'valid_from'], true)],
      }),
    );
    await create(
      new Table({
        name: 'rate_plans',
        columns: [
          id(),
          int('owner_customer_id'),
          varchar('name', 100),
          varchar('description', 500, { nullable: true }),
          varchar('currency', 3),
          varchar('sharing', 10),
          int('inherits_from_id', { nullable: true }),
          int('precision', { nullable: true }),
          bigint('signup_fee', { nullable: true }),
          bigint('account_fee', { nullable: true }),
          bigint('line_fee', { nullable: true }),
          bigint('number_fee', { nullable: true }),
          int('included_seconds', { nullable: true }),
          varchar('billing_period', 12, { nullable: true }),
          int('due_days', { nullable: true }),
          int('overdue_days', { nullable: true }),
          bool('defer_billing', { nullable: true }),
          int('minimum_contract_months', { nullable: true }),
          bigint('markup_outbound_connect', { nullable: true }),
          bigint('markup_outbound_per_minute', { nullable: true }),
          bigint('markup_outbound_message', { nullable: true }),
          bigint('markup_inbound_connect', { nullable: true }),
          bigint('markup_inbound_per_minute', { nullable: true }),
          bigint('daily_spend_limit_micros', { nullable: true }),
          int('max_concurrent_calls', { nullable: true }),
          bool('external_caller_id', { nullable: true }),
          int('dial_plan_id', { nullable: true }),
          int('invoice_due_days', { nullable: true }),
          bool('send_invoices', { nullable: true }),
          varchar('invoice_format', 8, { nullable: true }),
          varchar('invoice_detail', 16, { nullable: true }),
          timestamp('deleted_at', { nullable: true }),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [idx('IDX_rate_plans_owner', ['owner_customer_id'])],
      }),
    );
    await create(
      new Table({
        name: 'customers',
        columns: [
          id(),
          int('parent_id', { nullable: true }),
          varchar('path', 700),
          int('depth'),
          varchar('type', 16),
          varchar('name', 100),
          varchar('description', 500, { nullable: true }),
          varchar('email', 254),
          varchar('account_number', 32, { nullable: true }),
          bool('reseller', { default: false }),
          bool('directory', { default: false }),
          varchar('prefix', 16, { nullable: true }),
          bool('locked_web', { default: false }),
          bool('locked_calls', { default: false }),
          varchar('lock_reason', 200, { nullable: true }),
          bigint('daily_spend_limit_micros', { nullable: true }),
          int('max_concurrent_calls', { nullable: true }),
          bool('purge_voicemail', { default: false }),
          int('max_voicemails_per_folder', { nullable: true }),
          bool('external_caller_id', { nullable: true }),
          int('region_id', { nullable: true }),
          varchar('timezone', 64),
          int('dial_plan_id', { nullable: true }),
          int('rate_plan_id', { nullable: true }),
          varchar('billing_type', 20),
          varchar('billing_reference', 100, { nullable: true }),
          varchar('tax_reference', 100, { nullable: true }),
          varchar('payment_type', 20),
          int('invoice_due_days', { nullable: true }),
          bool('send_invoices', { nullable: true }),
          varchar('invoice_format', 8, { nullable: true }),
          varchar('invoice_detail', 16, { nullable: true }),
          varchar('currency', 3),
          int('minimum_contract_months', { nullable: true }),
          bigint('credit_limit'),
          bigint('low_balance_threshold'),
          bool('auto_top_up', { default: false }),
          bigint('balance'),
          varchar('address_line1', 100, { nullable: true }),
          varchar('address_line2', 100, { nullable: true }),
          varchar('address_line3', 100, { nullable: true }),
          varchar('address_city', 100, { nullable: true }),
          varchar('address_state', 100, { nullable: true }),
          varchar('address_postcode', 20, { nullable: true }),
          varchar('address_country', 2, { nullable: true }),
          int('affiliate_customer_id', { nullable: true }),
          bigint('affiliate_percentage', { nullable: true }),
          varchar('affiliate_basis', 8, { nullable: true }),
          timestamp('deleted_at', { nullable: true }),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          idx('IDX_customers_parent_account', ['parent_id', 'account_number'], true),
          idx('IDX_customers_prefix', ['prefix'], true),
          idx('IDX_customers_path', ['path']),
          idx('IDX_customers_parent_name', ['parent_id', 'name']),
        ],
        foreignKeys: [fk(['parent_id'], 'customers'), fk(['rate_plan_id'], 'rate_plans')],
      }),
    );
    await create(
      new Table({
        name: 'customer_taxes',
        columns: [
          { ...int('customer_id'), isPrimary: true },
          { ...int('tax_id'), isPrimary: true },
        ],
      }),
    );
    await create(
      new Table({
        name: 'taxes',
        columns: [
          id(),
          int('owner_customer_id'),
          varchar('name', 100),
          bigint('percentage', { nullable: true }),
          bigint('flat_amount', { nullable: true }),
          varchar('currency', 3, { nullable: true }),
          varchar('applies_to', 200),
          varchar('default_liability', 8),
          varchar('category_code', 4),
          bool('shared', { default: false }),
          timestamp('deleted_at', { nullable: true }),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [idx('IDX_taxes_owner', ['owner_customer_id'])],
      }),
    );
    await create(
      new Table({
        name: 'people',
        columns: [
          id(),
          int('customer_id'),
          varchar('username', 100),
          varchar('display_name', 100),
          varchar('email', 254, { nullable: true }),
          varchar('role', 16),
          varchar('password_hash', 255, { nullable: true }),
          timestamp('last_login_at', { nullable: true }),
          timestamp('deleted_at', { nullable: true }),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [idx('IDX_people_username', ['username'], true), idx('IDX_people_customer', ['customer_id'])],
        foreignKeys: [fk(['customer_id'], 'customers')],
      }),
    );
    await create(
      new Table({
        name: 'sessions',
        columns: [
          { ...varchar('token_hash', 64), isPrimary: true },
          int('person_id'),
          varchar('kind', 8),
          int('acting_customer_id', { nullable: true }),
          timestamp('created_at'),
          timestamp('expires_at'),
        ],
        indices: [idx('IDX_sessions_person', ['person_id'])],
      }),
    );
    await create(
      new Table({
        name: 'api_keys',
        columns: [
          id(),
          int('person_id'),
          varchar('name', 100),
          varchar('key_prefix', 16),
          varchar('secret_hash', 64),
          timestamp('created_at'),
          timestamp('last_used_at', { nullable: true }),
          timestamp('revoked_at', { nullable: true }),
        ],
        indices: [idx('IDX_api_keys_hash', ['secret_hash'], true), idx('IDX_api_keys_person', ['person_id'])],
      }),
    );
    await create(
      new Table({
        name: 'password_tokens',
        columns: [
          id(),
          int('person_id'),
          varchar('token_hash', 64),
          timestamp('expires_at'),
          timestamp('used_at', { nullable: true }),
          timestamp('created_at'),
        ],
        indices: [idx('IDX_password_tokens_hash', ['token_hash'], true)],
      }),
    );
    await create(
      new Table({
        name: 'numbers',
        columns: [
          id(),
          varchar('number', 32),
          int('owner_customer_id'),
          int('customer_id', { nullable: true }),
          int('sip_account_id', { nullable: true }),
          bool('directory', { nullable: true }),
          timestamp('created_at'),
        ],
        indices: [
          idx('IDX_numbers_number', ['number'], true),
          idx('IDX_numbers_owner_customer', ['owner_customer_id', 'customer_id']),
          idx('IDX_numbers_customer', ['customer_id']),
        ],
        foreignKeys: [fk(['owner_customer_id'], 'customers'), fk(['customer_id'], 'customers')],
      }),
    );
    await create(
      new Table({
        name: 'sip_accounts',
        columns: [
          id(),
          int('customer_id'),
          varchar('username', 64),
          varchar('secret', 64),
          varchar('display_name', 100),
          int('max_concurrent_calls', { nullable: true }),
          timestamp('deleted_at', { nullable: true }),
          timestamp('created_at'),
        ],
        indices: [idx('IDX_sip_accounts_username', ['username'], true), idx('IDX_sip_accounts_customer', ['customer_id'])],
        foreignKeys: [fk(['customer_id'], 'customers')],
      }),
    );
    await create(
      new Table({
        name: 'mailboxes',
        columns: [
          id(),
          int('customer_id'),
          varchar('mailbox', 32),
          varchar('pin_hash', 255),
          varchar('email', 254, { nullable: true }),
          bool('purge', { nullable: true }),
          int('max_per_folder', { nullable: true }),
          timestamp('deleted_at', { nullable: true }),
          timestamp('created_at'),
        ],
        indices: [idx('IDX_mailboxes_mailbox', ['mailbox'], true), idx('IDX_mailboxes_customer', ['customer_id'])],
        foreignKeys: [fk(['customer_id'], 'customers')],
      }),
    );
    await create(
      new Table({
        name: 'outbox_emails',
        columns: [
          id(),
          int('customer_id', { nullable: true }),
          varchar('to_address', 254),
          varchar('subject', 300),
          varchar('template', 64),
          text('context'),
          text('body_text', { nullable: true }),
          varchar('status', 10),
          int('attempts', { default: 0 }),
          timestamp('next_attempt_at'),
          timestamp('lease_until', { nullable: true }),
          timestamp('sent_at', { nullable: true }),
          varchar('last_error', 1000, { nullable: true }),
          timestamp('created_at'),
        ],
        indices: [idx('IDX_outbox_status_next', ['status', 'next_attempt_at']), idx('IDX_outbox_customer', ['customer_id'])],
      }),
    );
    await create(
      new Table({
        name: 'audit_log',
        columns: [
          id(),
          timestamp('at'),
          int('actor_person_id', { nullable: true }),
          int('actor_customer_id', { nullable: true }),
          int('customer_id', { nullable: true }),
          int('acting_as_customer_id', { nullable: true }),
          varchar('action', 64),
          varchar('entity_type', 32),
          varchar('entity_id', 64, { nullable: true }),
          text('details', { nullable: true }),
        ],
        indices: [idx('IDX_audit_log_customer', ['customer_id', 'at'])],
      }),
    );
    await create(
      new Table({
        name: 'throttle_buckets',
        columns: [
          { ...varchar('bucket_key', 200), isPrimary: true },
          int('failures'),
          timestamp('window_start'),
          timestamp('blocked_until', { nullable: true }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'throttle_buckets',
      'audit_log',
      'outbox_emails',
      'mailboxes',
      'sip_accounts',
      'numbers',
      'password_tokens',
      'api_keys',
      'sessions',
      'people',
      'taxes',
      'customer_taxes',
      'customers',
      'rate_plans',
      'exchange_rates',
      'dial_plans',
      'regions',
      'system_settings',
    ]) {
      await q.dropTable(t, true, true, true);
    }
  }
}
