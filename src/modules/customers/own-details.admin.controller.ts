import { Body, Controller, Get, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CustomerDirectory } from '../../shared/customer-directory';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { timeZoneNames } from '../../shared/validation';
import { AdminPages, formValues, readForm, submitForm, type FormBody, type FormErrors, type FormSchema } from '../admin/admin.api';
import { countryOptions, customerFormValues } from './customer-form';
import { CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';
import { UpdateCustomerDto } from './dto/customer.dto';
import type { CustomerView } from './dto/customer.view';
import type { CustomerType } from './entities/customer.entity';

/**
 * "Edit" on the page of the customer you act for (your own, or the one you switched to). Its rate plan,
 * billing, limits and locks are its parent's to set, and the parent's lists are out of its reach, so it
 * gets this form of the details a customer keeps itself (the API's self-editable fields).
 */
export function ownDetailsSchema(type: CustomerType, reseller = false): FormSchema {
  return {
    ...(type === 'residential' ? { personName: 'text' } : { name: 'text' }),
    email: 'text',
    description: 'text?',
    timezone: 'enum',
    taxReference: 'text?',
    directory: 'bool',
    purgeVoicemail: 'bool',
    maxVoicemailsPerFolder: 'int?',
    // Only a reseller issues login details to customers of its own, so only it brands them.
    ...(reseller ? { logoUrl: 'text?' } : {}),
    billingAddress: { line1: 'text?', line2: 'text?', line3: 'text?', city: 'text?', state: 'text?', postcode: 'text?', country: 'enum?' },
  };
}

/** The customer the scope acts for, when it has a parent (the system owner edits itself on the full form). */
export const editsOwnDetails = (scope: Scope, c: { id: number; parentId: number | null }): boolean =>
  c.id === scope.customerId && c.parentId !== null;

@ApiExcludeController()
@Controller()
export class OwnDetailsAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly customers: CustomersService,
    private readonly directory: CustomerDirectory,
    private readonly repo: CustomersRepository,
  ) {}

  @Get('customers/:id/own-details')
  async form(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Req() req: Request, @Res() res: Response): Promise<void> {
    const c = await this.customers.get(scope, id);
    if (!editsOwnDetails(scope, c)) return res.redirect(303, `/customers/${id}/edit`);
    await this.render(req, res, c, customerFormValues(c), {});
  }

  @Post('customers/:id/own-details')
  async save(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    if (!editsOwnDetails(scope, c)) return res.redirect(303, `/customers/${id}/edit`);
    const values = readForm(body, ownDetailsSchema(c.type, c.reseller));
    // An address with nothing in it is "no address".
    const address = values.billingAddress as Record<string, unknown>;
    if (Object.values(address).every((v) => v === null || v === undefined)) values.billingAddress = null;
    await submitForm(
      UpdateCustomerDto,
      values,
      (errors, status) => this.render(req, res, c, body, errors, status),
      async (dto) => {
        await this.customers.update(scope, id, dto);
        this.pages.redirect(res, `/customers/${id}`, 'Your details were saved.');
      },
    );
  }

  private async render(
    req: Request,
    res: Response,
    c: CustomerView,
    values: Record<string, unknown>,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const parentName = c.parentId === null ? null : ((await this.directory.names(this.repo.reader, [c.parentId])).get(c.parentId) ?? null);
    await this.pages.render(
      req,
      res,
      'customers/own-form',
      {
        title: `Edit ${c.name}`,
        customer: c,
        parentName,
        isResidential: c.type === 'residential',
        values: formValues(ownDetailsSchema(c.type, c.reseller), values),
        errors,
        lists: {
          timeZones: timeZoneNames().map((z) => ({ value: z, label: z.replace(/_/g, ' ') })),
          countries: countryOptions(),
        },
      },
      status,
    );
  }
}
