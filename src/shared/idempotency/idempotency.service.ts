import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { Clock } from '../clock';
import { JobRunner } from '../jobs/job-runner';
import { ConflictError, ValidationError } from '../errors';
import type { Scope } from '../scope';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

/** The HTTP header that carries the key (API.md: every POST that moves money accepts it). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** What a key may be: 1 to 255 visible ASCII characters (a UUID, a payment reference...). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** An answer of work done under a key: the HTTP status and the JSON body (plain data: strings, numbers, objects). */
export interface IdempotentAnswer<T> {
  status: number;
  body: T;
}

export interface IdempotentResult<T> extends IdempotentAnswer<T> {
  /** True when this is the stored answer of an earlier request with the same key (nothing was done now). */
  replayed: boolean;
}

/** The caller a key belongs to: the API key a request came with, else the person (system work: "system"). */
export function principalOf(scope: Scope): string {
  if (scope.apiKeyId) return `api-key:${scope.apiKeyId}`;
  return scope.personId === null ? 'system' : `person:${scope.personId}`;
}

/** The header that marks an answer given again to a repeated key. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * Puts an idempotent answer on the HTTP response: its status, and `Idempotent-Replayed: true` when it is
 * the stored answer of an earlier request. Returns the body for the controller to send.
 */
export function sendIdempotent<T>(
  res: { status(code: number): unknown; setHeader(name: string, value: string): unknown },
  answer: IdempotentResult<T>,
): T {
  res.status(answer.status);
  if (answer.replayed) res.setHeader(REPLAYED_HEADER, 'true');
  return answer.body;
}

/** JSON with every object's keys sorted, so that the same request always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as Record<string, unknown>)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Idempotency keys for requests that move money (balance posts, later vouchers and CDRs).
 *
 * `run` does the work in a transaction that also stores the key with a hash of the request and the
 * answer, so a key exists exactly when its work committed: a crash half way leaves neither, and a
 * refused request (the work threw) leaves no key, so the same key may be sent again.
 *
 * - The same key and the same request again: the first answer (status and body), nothing is done.
 * - The same key with another request (another body or operation): 409 `conflict`.
 * - Two at once with one key: the key's row is inserted first in the transaction, so the second waits
 *   for the first to commit (MariaDB: on the row's lock; SQLite: transactions run one at a time) and then
 *   answers the first answer (or 409 if its request differs). Exactly one does the work.
 */
/** The job that forgets idempotency keys older than IDEMPOTENCY_KEY_TTL_HOURS (default 24). */
export const IDEMPOTENCY_EXPIRY_JOB = 'idempotency-key-expiry';

@Injectable()
export class IdempotencyService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: IDEMPOTENCY_EXPIRY_JOB,
      everyMs: 3_600_000,
      leaseMs: 600_000,
      run: async () => void (await this.forgetExpired()),
    });
  }

  /**
   * Deletes the keys older than the retention (IDEMPOTENCY_KEY_TTL_HOURS): a repeat after that is a new
   * request, as with Stripe's 24 hours. Returns how many were deleted.
   */
  async forgetExpired(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.idempotencyKeyTtlHours * 3_600_000);
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .delete()
      .from(IdempotencyKeyEntity)
      .where('createdAt < :before', { before: before.toISOString().replace('T', ' ').replace('Z', '') })
      .execute();
    return result.affected ?? 0;
  }

  /**
   * Runs `work` in a transaction under the caller's key (none: just in a transaction). `request` is what
   * makes two requests the same: name the operation in it as well as the body, e.g.
   * `{ operation: 'POST /customers/5/balance', body }`.
   */
  async run<T>(
    principal: string,
    key: string | undefined,
    request: unknown,
    work: (em: EntityManager) => Promise<IdempotentAnswer<T>>,
  ): Promise<IdempotentResult<T>> {
    if (key === undefined) return { ...(await this.tx.run(work)), replayed: false };
    if (!KEY_PATTERN.test(key)) throw ValidationError.field(IDEMPOTENCY_HEADER, 'must be 1 to 255 visible ASCII characters');
    const keyHash = sha256(key);
    const requestHash = sha256(canonicalJson(request));
    const earlier = await this.find(principal, keyHash);
    if (earlier) return replay<T>(earlier, requestHash);
    try {
      return await this.tx.run(async (em) => {
        // First: claims the key. A concurrent request with the same key waits here until this commits.
        await em.insert(IdempotencyKeyEntity, {
          principal,
          keyHash,
          idempotencyKey: key,
          requestHash,
          responseStatus: 0,
          responseBody: '',
          createdAt: this.clock.now(),
        });
        const answer = await work(em);
        await em.query('UPDATE idempotency_keys SET response_status = ?, response_body = ? WHERE principal = ? AND key_hash = ?', [
          answer.status,
          JSON.stringify(answer.body),
          principal,
          keyHash,
        ]);
        return { ...answer, replayed: false };
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Another request with this key committed first.
      const first = await this.find(principal, keyHash);
      if (!first) throw err;
      return replay<T>(first, requestHash);
    }
  }

  private find(principal: string, keyHash: string): Promise<IdempotencyKeyEntity | null> {
    return this.dataSource.manager.findOneBy(IdempotencyKeyEntity, { principal, keyHash });
  }
}

function replay<T>(row: IdempotencyKeyEntity, requestHash: string): IdempotentResult<T> {
  if (row.requestHash !== requestHash) {
    throw new ConflictError(
      `${IDEMPOTENCY_HEADER}: was already used for another request`,
      [{ field: IDEMPOTENCY_HEADER, message: 'was already used for another request' }],
      'conflict',
    );
  }
  return { status: row.responseStatus, body: JSON.parse(row.responseBody) as T, replayed: true };
}
