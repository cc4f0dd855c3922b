import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager } from 'typeorm';
import { ancestorIds } from '../../shared/customer-directory';
import type { Money } from '../../shared/money';
import { TaxEntity } from './entities/tax.entity';

export { TAX_APPLIES_TO, TAX_LIABILITY } from './entities/tax.entity';

/** A tax as other modules see it. */
export interface TaxRef {
  id: number;
  ownerCustomerId: number;
  name: string;
  /** Exact decimal text, e.g. "20" or "7.5"; null for a flat-only tax. */
  percentage: string | null;
  flatAmount: Money | null;
  currency: string | null;
  defaultLiability: string;
}

/**
 * What other modules may ask of taxes. A customer may be made liable for its parent's own taxes and for
 * those the parent's ancestors share (`owner` below is that parent).
 */
@Injectable()
export class TaxesApi {
  /** Taxes `owner` may make its customers liable for, by name; only `ids` of them when given. */
  async usableTaxes(em: EntityManager, owner: { id: number; path: string }, ids?: readonly number[]): Promise<TaxRef[]> {
    const ancestors = ancestorIds(owner.path);
    const q = em
      .createQueryBuilder(TaxEntity, 't')
      .where('t.deletedAt IS NULL')
      .andWhere(
        new Brackets((w) => {
          w.where('t.ownerCustomerId = :own', { own: owner.id });
          if (ancestors.length) w.orWhere('(t.shared = :shared AND t.ownerCustomerId IN (:...ancestors))', { shared: true, ancestors });
        }),
      );
    if (ids) q.andWhere('t.id IN (:...ids)', { ids: ids.length ? [...ids] : [0] });
    const rows = await q.orderBy('t.name', 'ASC').addOrderBy('t.id', 'ASC').getMany();
    return rows.map((t) => ({
      id: t.id,
      ownerCustomerId: t.ownerCustomerId,
      name: t.name,
      percentage: t.percentage === null ? null : t.percentage.toString(),
      flatAmount: t.flatAmount,
      currency: t.currency,
      defaultLiability: t.defaultLiability,
    }));
  }

  /**
   * SQL answering the comma-separated ids (or NULL) of the taxes a new customer of the customer row
   * `alias` gets when the request names none: the usable ones (its own, and those its ancestors share;
   * their ids are in its path) marked for new customers. For a caller that reads it inside a statement of
   * its own (customer create saves a round trip that way).
   */
  defaultTaxIdsSql(alias: string): string {
    return (
      "(SELECT GROUP_CONCAT(t.id) FROM taxes t WHERE t.deleted_at IS NULL AND t.default_liability IN ('new', 'all') " +
      `AND (t.owner_customer_id = ${alias}.id OR (t.shared = 1 AND ${alias}.path LIKE CONCAT('%/', t.owner_customer_id, '/%'))))`
    );
  }
}
