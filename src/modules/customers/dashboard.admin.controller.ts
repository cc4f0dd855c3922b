import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BalanceDirectory } from '../../shared/balance-directory';
import { NotFoundError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { AdminPages, formatMoney } from '../admin/admin.api';
import { TelephonyApi } from '../telephony/telephony.api';
import { CustomerViews } from './customer-views';
import { CustomersRepository } from './customers.repository';

/**
 * The start page of the customer you act for: its balance, its lines, mailboxes and numbers, its
 * customers when it may have some, and what you may do next (nothing is offered that would be refused).
 */
@ApiExcludeController()
@Controller()
export class DashboardAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly repo: CustomersRepository,
    private readonly balances: BalanceDirectory,
    private readonly telephony: TelephonyApi,
    private readonly views: CustomerViews,
  ) {}

  @Get()
  async dashboard(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    const em = this.repo.reader;
    const customer = await this.repo.findById(em, scope.customerId);
    if (!customer) throw new NotFoundError('customer');
    const canHaveCustomers = !!customer.reseller || customer.parentId === null;
    const [children, balance, equipment, [view]] = await Promise.all([
      canHaveCustomers ? this.repo.countLiveChildren(em, customer.id) : Promise.resolve(0),
      this.balances.balanceOf(em, customer.id),
      this.telephony.equipmentCounts(em, customer.id),
      this.views.views(em, [customer]),
    ]);
    const refs = await this.views.references(scope, view);
    const isAdmin = scope.role === 'administrator';
    await this.pages.render(req, res, 'admin/dashboard', {
      title: 'Dashboard',
      customer: {
        id: customer.id,
        name: customer.name,
        accountNumber: customer.accountNumber,
        reseller: !!customer.reseller,
        balance: formatMoney(balance, customer.currency),
        balanceNegative: balance.isNegative(),
        creditLimit: formatMoney(customer.creditLimit, customer.currency),
        currency: customer.currency,
        hasParent: customer.parentId !== null,
        canHaveCustomers,
        lockedWeb: !!customer.lockedWeb,
        lockedCalls: !!customer.lockedCalls,
      },
      parent: refs.parent,
      ratePlan: refs.ratePlan,
      children,
      equipment,
      isAdmin,
      canAddCustomers: isAdmin && canHaveCustomers,
    });
  }
}
