import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BalanceDirectory } from '../../shared/balance-directory';
import { NotFoundError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { AdminPages, formatMoney } from '../admin/admin.api';
import { CustomersRepository } from './customers.repository';

/** The start page: who you act for, their balance and what to do next. */
@ApiExcludeController()
@Controller()
export class DashboardAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly repo: CustomersRepository,
    private readonly balances: BalanceDirectory,
  ) {}

  @Get()
  async dashboard(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    const customer = await this.repo.findById(this.repo.reader, scope.customerId);
    if (!customer) throw new NotFoundError('customer');
    const [children, balance] = await Promise.all([
      this.repo.countLiveChildren(this.repo.reader, customer.id),
      this.balances.balanceOf(this.repo.reader, customer.id),
    ]);
    await this.pages.render(req, res, 'admin/dashboard', {
      title: 'Dashboard',
      customer: {
        id: customer.id,
        name: customer.name,
        accountNumber: customer.accountNumber,
        reseller: customer.reseller,
        balance: formatMoney(balance, customer.currency),
        balanceNegative: balance.isNegative(),
        creditLimit: formatMoney(customer.creditLimit, customer.currency),
        currency: customer.currency,
        hasParent: customer.parentId !== null,
        canHaveCustomers: customer.reseller || customer.parentId === null,
        lockedWeb: customer.lockedWeb,
        lockedCalls: customer.lockedCalls,
      },
      children,
      isAdmin: scope.role === 'administrator',
    });
  }
}
