import { Injectable } from '@nestjs/common';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { ConflictError, type FieldError, NotFoundError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { Page, pageParams } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { CreateExchangeRateDto, EXCHANGE_RATE_SORTS, ExchangeRateDto, ExchangeRateQuery } from './dto/system.dto';
import { sortOrder } from '../../shared/http/list-query';

/** The columns of an exchange rate list exported as CSV, in this order. */
export const EXCHANGE_RATE_CSV_HEADER = ['id', 'currency', 'rate', 'valid_from', 'created_at'];
export const exchangeRateCsvRow = (r: ExchangeRateDto): string[] => [String(r.id), r.currency, r.rate, r.validFrom, r.createdAt];
import { ExchangeRateEntity } from './entities/exchange-rate.entity';
import { assertSystemOwnerAdmin, SYSTEM_OWNER_ID } from '../../shared/system-owner';
import { SystemRepository } from './system.repository';

const toDto = (x: ExchangeRateEntity): ExchangeRateDto => ({
  id: x.id,
  currency: x.currency,
  rate: x.rate,
  validFrom: x.validFrom.toISOString(),
  createdAt: x.createdAt.toISOString(),
});

const duplicate = () => ConflictError.field('validFrom', 'a rate for this currency from this instant exists');

/**
 * Rates are never edited: a new rate gets a new `validFrom`. Transactions keep the rate they used, so
 * deleting or adding a rate changes no recorded amount.
 */
@Injectable()
export class ExchangeRatesService {
  constructor(
    private readonly repo: SystemRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async list(_scope: Scope, query: ExchangeRateQuery): Promise<Page<ExchangeRateDto>> {
    const { page, pageSize, skip } = pageParams(query);
    const sort = query.sort ? sortOrder(query.sort, EXCHANGE_RATE_SORTS, 'validFrom') : undefined;
    const [rows, total] = await this.repo.listExchangeRates(query.currency, skip, pageSize, sort);
    return { items: rows.map(toDto), page, pageSize, total };
  }

  async get(_scope: Scope, id: number): Promise<ExchangeRateDto> {
    const row = await this.repo.findExchangeRate(this.repo.manager, id);
    if (!row) throw new NotFoundError('exchange rate');
    return toDto(row);
  }

  /** Records a rate; `earlier`: the request's format problems, answered with the checks below at once (issue #14). */
  async create(scope: Scope, dto: CreateExchangeRateDto, earlier: readonly FieldError[] = []): Promise<ExchangeRateDto> {
    assertSystemOwnerAdmin(scope);
    const problems = new FieldProblems(earlier);
    const validFrom = dto.validFrom === undefined ? null : new Date(dto.validFrom);
    return this.tx
      .run(async (em) => {
        const settings = await this.repo.settings(em);
        if (dto.currency !== undefined && dto.currency === settings.currency) problems.add('currency', 'the system currency always has rate 1');
        if (dto.currency !== undefined && validFrom && !problems.has('currency') && (await this.repo.findExchangeRateAt(em, dto.currency, validFrom))) {
          problems.addError(duplicate(), 'validFrom');
        }
        problems.throwIfAny();
        if (!validFrom) throw new Error('exchange rate: checks passed without validFrom');
        const row = await this.repo.insertExchangeRate(em, {
          currency: dto.currency,
          rate: dto.rate,
          validFrom,
          createdAt: this.clock.now(),
        });
        await this.audit.record(
          scope,
          {
            action: 'exchange_rate_created',
            entityType: 'exchange_rate',
            entityId: row.id,
            customerId: SYSTEM_OWNER_ID,
            details: { currency: row.currency, rate: row.rate, validFrom: validFrom.toISOString() },
          },
          em,
        );
        return toDto(row);
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw duplicate();
        throw err;
      });
  }

  async remove(scope: Scope, id: number): Promise<void> {
    assertSystemOwnerAdmin(scope);
    await this.tx.run(async (em) => {
      const row = await this.repo.findExchangeRate(em, id);
      if (!row) throw new NotFoundError('exchange rate');
      await this.repo.deleteExchangeRate(em, id);
      await this.audit.record(
        scope,
        {
          action: 'exchange_rate_deleted',
          entityType: 'exchange_rate',
          entityId: id,
          customerId: SYSTEM_OWNER_ID,
          details: { currency: row.currency, rate: row.rate, validFrom: row.validFrom.toISOString() },
        },
        em,
      );
    });
  }
}
