import { Controller, Get, Param, ParseIntPipe, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { CustomerDirectory } from '../../shared/customer-directory';
import { isIsoInstant } from '../../shared/validation';
import { AdminPages, formErrors, instantFromForm, statusOf, type FormErrors, formatInstant } from '../admin/admin.api';
import { opts } from './rate-plans.admin-shared';
import { RatePlansRepository } from './rate-plans.repository';
import { RatingService, toPriceLookupDto } from './rating.service';

/** Customers » a customer » price lookup: what a call or message to a number would cost the customer, level by level. */
@ApiExcludeController()
@Controller()
export class PriceLookupAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly rating: RatingService,
    private readonly repo: RatePlansRepository,
    private readonly clock: Clock,
    private readonly customers: CustomerDirectory,
  ) {}

  @Get('customers/:id/price')
  async price(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const customer = await this.customers.findInScope(this.repo.manager, scope, id);
    const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const values = {
      number: str(query.number),
      direction: str(query.direction) || 'outbound',
      at: str(query.at),
      duration: str(query.duration),
    };
    let result = null;
    let errors: FormErrors = {};
    let status = 200;
    if (values.number) {
      try {
        const errs: FormErrors = {};
        if (values.direction !== 'outbound' && values.direction !== 'inbound') errs.direction = 'Choose outbound or inbound.';
        const at = values.at ? instantFromForm(values.at) : undefined;
        if (at !== undefined && !isIsoInstant(at)) errs.at = 'Give a date and time in UTC (2026-11-25 19:00) or ISO 8601 with an offset.';
        if (values.duration && !/^\d{1,8}$/.test(values.duration)) errs.duration = 'Give whole seconds, e.g. 60.';
        if (Object.keys(errs).length) {
          errors = errs;
          status = 400;
        } else {
          const rated = await this.rating.priceLookup(
            scope,
            id,
            {
              number: values.number,
              direction: values.direction as 'outbound' | 'inbound',
              at: at ? new Date(at as string) : undefined,
              duration: values.duration ? Number(values.duration) : undefined,
            },
            this.clock.now(),
          );
          const dto = toPriceLookupDto(rated);
          const names = await this.customers.names(this.repo.manager, [...new Set(dto.levels.map((l) => l.customerId))]);
          result = {
            ...dto,
            at: formatInstant(dto.at),
            levels: dto.levels.map((l) => ({ ...l, customerName: names.get(l.customerId) ?? String(l.customerId) })),
          };
        }
      } catch (err) {
        // A refusal of the lookup itself (no rate, no exchange rate) is about the whole question.
        errors = err instanceof DomainError && err.status === 422 ? { _form: noRatePrefix(err.message) } : formErrors(err);
        status = statusOf(err);
      }
    }
    await this.pages.render(
      req,
      res,
      'rate-plans/price',
      {
        title: `Price lookup for ${customer.name}`,
        customer: { id: customer.id, name: customer.name },
        values,
        errors,
        result,
        directions: opts(['outbound', 'inbound'], (v) => (v === 'outbound' ? 'Outbound (a call made)' : 'Inbound (a call received)')),
      },
      status,
    );
  }
}

/** "no_rate: no rate for …" → "No rate for …". */
function noRatePrefix(message: string): string {
  const text = message.replace(/^no_rate: /, '');
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}
