import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull } from 'typeorm';
import type { Scope } from '../../shared/scope';
import { CustomerEntity } from '../customers/entities/customer.entity';
import { PersonEntity } from '../identity/entities/person.entity';

export interface PageHeader {
  personName: string | null;
  personCustomerName: string | null;
  actingCustomerName: string | null;
}

/** The admin pages' own reads (page header, dashboard counts, names for lists). */
@Injectable()
export class AdminRepository {
  constructor(private readonly dataSource: DataSource) {}

  async header(scope: Scope): Promise<PageHeader> {
    const person = scope.personId === null ? null : await this.dataSource.getRepository(PersonEntity).findOneBy({ id: scope.personId });
    const customers = this.dataSource.getRepository(CustomerEntity);
    const own = await customers.findOne({ where: { id: scope.personCustomerId }, select: { id: true, name: true } });
    const acting =
      scope.customerId === scope.personCustomerId
        ? own
        : await customers.findOne({ where: { id: scope.customerId }, select: { id: true, name: true } });
    return {
      personName: person?.displayName || person?.username || null,
      personCustomerName: own?.name ?? null,
      actingCustomerName: acting?.name ?? null,
    };
  }

  actingCustomer(scope: Scope): Promise<CustomerEntity | null> {
    return this.dataSource.getRepository(CustomerEntity).findOneBy({ id: scope.customerId });
  }

  countLiveChildren(customerId: number): Promise<number> {
    return this.dataSource.getRepository(CustomerEntity).countBy({ parentId: customerId, deletedAt: IsNull() });
  }

  /** Names of customers by id (for lists that carry only ids). */
  async customerNames(ids: number[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(CustomerEntity).find({ where: { id: In(unique) }, select: { id: true, name: true } });
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
