import { VoucherBatchEntity } from '../../src/modules/billing/vouchers/entities/voucher-batch.entity';
import { VoucherEntity } from '../../src/modules/billing/vouchers/entities/voucher.entity';
import type { TestApp } from '../helpers/app';
import type { Auth } from './customers';
import { unique } from './customers';

/** POST /api/v1/voucher-batches with a valid body (overridable); the raw answer. */
export function postBatch(t: TestApp, auth: Auth, body: Record<string, unknown> = {}) {
  return t.http
    .post('/api/v1/voucher-batches')
    .set(auth)
    .send({ name: unique('Batch '), value: '10.00', currency: 'EUR', count: 5, ...body });
}

/** Issues a batch through the API; throws with the answer if it is not a 201. */
export async function createBatch(t: TestApp, auth: Auth, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await postBatch(t, auth, body);
  if (res.status !== 201) throw new Error(`create batch failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, any>;
}

/** A batch's vouchers straight from the table, in order. */
export function voucherRows(t: TestApp, batchId: number): Promise<VoucherEntity[]> {
  return t.dataSource.getRepository(VoucherEntity).find({ where: { batchId }, order: { id: 'ASC' } });
}

/** The serials of a batch. */
export async function serialsOf(t: TestApp, batchId: number): Promise<string[]> {
  return (await voucherRows(t, batchId)).map((v) => v.serial);
}

export function batchRow(t: TestApp, id: number): Promise<VoucherBatchEntity> {
  return t.dataSource.getRepository(VoucherBatchEntity).findOneByOrFail({ id });
}

/** POST /api/v1/vouchers/redeem (with an Idempotency-Key when `key` is given); the raw answer. */
export function redeem(t: TestApp, auth: Auth, body: Record<string, unknown>, key?: string) {
  const req = t.http.post('/api/v1/vouchers/redeem').set(auth);
  if (key !== undefined) req.set('Idempotency-Key', key);
  return req.send(body);
}

/** Forgets every failed attempt (login and vouchers), so that a test starts unthrottled. */
export async function clearThrottle(t: TestApp): Promise<void> {
  await t.dataSource.query('DELETE FROM throttle_buckets');
}

/** The throttle rows whose key starts with `prefix`. */
export async function throttleRows(t: TestApp, prefix: string): Promise<Array<{ key: string; failures: number; blocked: boolean }>> {
  const rows = (await t.dataSource.query(
    'SELECT bucket_key, failures, blocked_until FROM throttle_buckets WHERE bucket_key LIKE ? ORDER BY bucket_key',
    [`${prefix}%`],
  )) as Array<{ bucket_key: string; failures: unknown; blocked_until: unknown }>;
  return rows.map((r) => ({ key: r.bucket_key, failures: Number(r.failures), blocked: r.blocked_until !== null }));
}
