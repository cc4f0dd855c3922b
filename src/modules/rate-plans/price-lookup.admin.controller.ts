import { Controller, Get, Param, ParseIntPipe, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { In } from 'typeorm';
import { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { CustomerDirectory } from '../../shared/customer-directory';
import { isIsoInstant } from '../../shared/validation';
import { AdminPages, formErrors, instantFromForm, statusOf, type FormErrors, formatInstant } from '../admin/admin.api';
import type { Direction } from './domain/rate';
import { normaliseDialledNumber } from './domain/dialled-number';
import { priceChain } from './domain/price-chain';
import type { PriceLevelDto } from './dto/price.dto';
import { RatePlanEntity } from './entities/rate-plan.entity';
import { opts } from './rate-plans.admin-shared';
import { RatePlansRepository } from './rate-plans.repository';
import { RatePlansService } from './rate-plans.service';
import { PLAN_LEVEL_ID, RatingService, toPriceLookupDto, type RatedCall } from './rating.service';

type LookupInput = { number: string; direction: Direction; at?: Date; duration?: number };

/**
 * Price lookup: what a call to a number would cost, level by level, with each seller's margin. For a
 * customer (Customers » a customer » Price lookup) and for a plan (Rate plans » a plan » Price lookup:
 * what a customer on the plan would pay). Numbers are taken as people write them ("+44 (20) 7946-0000").
 */
@ApiExcludeController()
@Controller()
export class PriceLookupAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly rating: RatingService,
    private readonly plans: RatePlansService,
    private readonly repo: RatePlansRepository,
    private readonly clock: Clock,
    private readonly customers: CustomerDirectory,
  ) {}

  @Get('customers/:id/price')
  async customerPrice(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const customer = await this.customers.findInScope(this.repo.manager, scope, id);
    await this.lookup(scope, query, req, res, {
      title: `Price lookup for ${customer.name}`,
      action: `/customers/${customer.id}/price`,
      crumbs: [
        { href: '/customers', label: 'Customers' },
        { href: `/customers/${customer.id}`, label: customer.name },
      ],
      intro: 'What would a call to a number cost this customer, and each level above it that you can see?',
      rate: (input) => this.rating.priceLookup(scope, id, input, this.clock.now()),
    });
  }

  @Get('rate-plans/:id/price')
  async planPrice(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { plan } = await this.plans.findVisible(this.repo.manager, scope, id);
    await this.lookup(scope, query, req, res, {
      title: `Price lookup for rate plan ${plan.name}`,
      action: `/rate-plans/${plan.id}/price`,
      crumbs: [
        { href: '/rate-plans', label: 'Rate plans' },
        { href: `/rate-plans/${plan.id}`, label: plan.name },
      ],
      intro: 'What would a call to a number cost a customer on this plan, and each level above it that you can see?',
      rate: (input) => this.rating.planPriceLookup(scope, plan, input, this.clock.now()),
    });
  }

  private async lookup(
    scope: Scope,
    query: Record<string, unknown>,
    req: Request,
    res: Response,
    page: {
      title: string;
      action: string;
      crumbs: Array<{ href: string; label: string }>;
      intro: string;
      rate: (input: LookupInput) => Promise<RatedCall>;
    },
  ): Promise<void> {
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
    if (values.number || 'number' in query) {
      const errs: FormErrors = {};
      if (!values.number) errs.number = 'Give the number called, e.g. +44 20 7946 0000.';
      else if (normaliseDialledNumber(values.number) === null) errs.number = NUMBER_HINT;
      if (values.direction !== 'outbound' && values.direction !== 'inbound') errs.direction = 'Choose outbound or inbound.';
      const at = values.at ? instantFromForm(values.at) : undefined;
      if (at !== undefined && !isIsoInstant(at)) errs.at = 'Give a date and time in UTC (2026-11-25 19:00) or ISO 8601 with an offset.';
      if (values.duration && !/^\d{1,8}$/.test(values.duration)) errs.duration = 'Give whole seconds, e.g. 60.';
      if (Object.keys(errs).length) {
        errors = errs;
        status = 400;
      } else {
        try {
          const rated = await page.rate({
            number: values.number,
            direction: values.direction as Direction,
            at: at ? new Date(at as string) : undefined,
            duration: values.duration ? Number(values.duration) : undefined,
          });
          result = await this.describe(scope, toPriceLookupDto(rated));
        } catch (err) {
          // A refusal of the lookup itself (no rate, no exchange rate) is about the whole question.
          errors =
            err instanceof DomainError && err.status === 422 ? { _form: noRatePrefix(err.message) } : withNumberHint(formErrors(err));
          status = statusOf(err);
        }
      }
    }
    await this.pages.render(
      req,
      res,
      'rate-plans/price',
      {
        ...page,
        rate: undefined,
        values,
        errors,
        result,
        directions: opts(['outbound', 'inbound'], (v) => (v === 'outbound' ? 'Outbound (a call made)' : 'Inbound (a call received)')),
      },
      status,
    );
  }

  /** Names of the customers and plans of the levels (linked where the viewer may open them), and the margins. */
  private async describe(scope: Scope, dto: ReturnType<typeof toPriceLookupDto>) {
    const em = this.repo.manager;
    const customerIds = [...new Set(dto.levels.map((l) => l.customerId).filter((c) => c !== PLAN_LEVEL_ID))];
    const names = await this.customers.names(em, customerIds);
    const planIds = [...new Set(dto.levels.map((l) => l.ratePlanId).filter((p): p is number => p !== null))];
    const plans = planIds.length ? await em.find(RatePlanEntity, { select: { id: true, name: true }, where: { id: In(planIds) } }) : [];
    const planNames = new Map(plans.map((p) => [p.id, p.name]));
    // A plan assigned from above may not be one the viewer may open: named, but linked only when visible.
    const visible = new Set<number>();
    for (const id of planIds) {
      const ok = await this.plans.findVisible(em, scope, id).then(
        () => true,
        () => false,
      );
      if (ok) visible.add(id);
    }
    const levels = dto.levels.map((l: PriceLevelDto) => ({
      ...l,
      planLevel: l.customerId === PLAN_LEVEL_ID,
      customerName: l.cost
        ? 'Cost (carriers)'
        : l.customerId === PLAN_LEVEL_ID
          ? 'A customer on this plan'
          : (names.get(l.customerId) ?? ''),
      planName: l.ratePlanId === null ? null : (planNames.get(l.ratePlanId) ?? ''),
      planLinked: l.ratePlanId !== null && visible.has(l.ratePlanId),
      who: l.cost ? (names.get(l.customerId) ?? 'System owner') : undefined,
    }));
    const chain = priceChain(levels).map((step) => ({
      ...step,
      sellerName: step.seller.cost ? `${step.seller.who} (buys from carriers)` : step.seller.customerName,
      sellerId: step.seller.cost || step.seller.planLevel ? null : step.seller.customerId,
      buyerName: step.buyer.customerName,
      buyerId: step.buyer.planLevel ? null : step.buyer.customerId,
    }));
    return { ...dto, at: formatInstant(dto.at), levels, chain };
  }
}

/** "no_rate: no rate for …" → "No rate for …". */
function noRatePrefix(message: string): string {
  const text = message.replace(/^no_rate: /, '');
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}

const NUMBER_HINT = 'Give a phone number, e.g. +44 20 7946 0000, 0044 20 7946 0000 or +44 (20) 7946-0000.';

/** The API's wording of a bad number, with examples of what the page takes. */
function withNumberHint(errors: FormErrors): FormErrors {
  return errors.number ? { ...errors, number: NUMBER_HINT } : errors;
}
