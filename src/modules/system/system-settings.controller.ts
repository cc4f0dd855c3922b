import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentScope } from '../../shared/http/decorators';
import { answerList, ApiListOk, csvRowsOfPages } from '../../shared/http/list-query';
import { type JsonBody, validatePartial } from '../../shared/http/partial-validation';
import type { Scope } from '../../shared/scope';
import { currencyCodes, currencyMinorUnits, timeZoneNames } from '../../shared/validation';
import { DIAL_PLAN_CSV_HEADER, dialPlanCsvRow, DialPlansService } from './dial-plans.service';
import {
  CreateDialPlanDto,
  CreateExchangeRateDto,
  CreateRegionDto,
  CurrencyDto,
  DialPlanDto,
  DialPlanPageDto,
  ExchangeRateDto,
  ExchangeRatePageDto,
  ExchangeRateQuery,
  NamedListQuery,
  RegionDto,
  RegionPageDto,
  SystemSettingsDto,
  UpdateDialPlanDto,
  UpdateRegionDto,
  UpdateSystemSettingsDto,
} from './dto/system.dto';
import { EXCHANGE_RATE_CSV_HEADER, exchangeRateCsvRow, ExchangeRatesService } from './exchange-rates.service';
import { REGION_CSV_HEADER, regionCsvRow, RegionsService } from './regions.service';
import { SystemSettingsService } from './system-settings.service';

@ApiTags('system')
@ApiBearerAuth()
@Controller('api/v1/system')
export class SystemSettingsController {
  constructor(private readonly settings: SystemSettingsService) {}

  @Get()
  @ApiOperation({ summary: 'Platform-wide settings (any logged-in person)' })
  @ApiOkResponse({ type: SystemSettingsDto })
  get(@CurrentScope() scope: Scope): Promise<SystemSettingsDto> {
    return this.settings.get(scope);
  }

  @Patch()
  @ApiOperation({ summary: "Change platform-wide settings (system owner's administrators, not while switched)" })
  @ApiOkResponse({ type: SystemSettingsDto })
  @ApiNotFoundResponse({ description: 'costPlanId is not a plan of the system owner' })
  @ApiConflictResponse({ description: '`in_use`: the system currency cannot change while exchange rates exist' })
  @ApiBody({ type: UpdateSystemSettingsDto })
  async update(@CurrentScope() scope: Scope, @Body() body: JsonBody): Promise<SystemSettingsDto> {
    // Every problem at once (issue #14): format errors and the cost plan and currency checks together.
    const { dto, problems } = await validatePartial(UpdateSystemSettingsDto, body);
    return this.settings.update(scope, dto, problems);
  }
}

let currencies: CurrencyDto[] | null = null;
function currencyList(): CurrencyDto[] {
  if (!currencies) {
    const names = new Intl.DisplayNames('en', { type: 'currency' });
    currencies = currencyCodes().map((code) => ({ code, minorUnits: currencyMinorUnits(code), name: names.of(code) ?? code }));
  }
  return currencies;
}

@ApiTags('system')
@ApiBearerAuth()
@Controller('api/v1')
export class ReferenceDataController {
  @Get('currencies')
  @ApiOperation({ summary: 'ISO 4217 currencies known to the platform, with their minor units' })
  @ApiOkResponse({ type: [CurrencyDto] })
  currencies(): CurrencyDto[] {
    return currencyList();
  }

  @Get('timezones')
  @ApiOperation({ summary: 'IANA time zone names' })
  @ApiOkResponse({ schema: { type: 'array', items: { type: 'string' }, example: ['UTC', 'Europe/London'] } })
  timezones(): string[] {
    return timeZoneNames();
  }
}

@ApiTags('system')
@ApiBearerAuth()
@Controller('api/v1/regions')
export class RegionsController {
  constructor(private readonly regions: RegionsService) {}

  @Get()
  @ApiOperation({ summary: 'Regions of the platform (any logged-in person), sorted or as CSV' })
  @ApiListOk(RegionPageDto, `the columns ${REGION_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'an unknown `sort` column or bad paging' })
  async list(@CurrentScope() scope: Scope, @Query() query: NamedListQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await answerList(req, res, query.format, () => this.regions.list(scope, query), () => ({
      filename: 'regions.csv',
      header: REGION_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.regions.list(scope, { ...query, page, pageSize }), regionCsvRow),
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One region' })
  @ApiOkResponse({ type: RegionDto })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<RegionDto> {
    return this.regions.get(scope, id);
  }

  @Post()
  @ApiOperation({ summary: "Create a region (system owner's administrators)" })
  @ApiCreatedResponse({ type: RegionDto })
  @ApiConflictResponse({ description: '`already_exists`: the name is taken' })
  create(@CurrentScope() scope: Scope, @Body() body: CreateRegionDto): Promise<RegionDto> {
    return this.regions.create(scope, body);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Rename a region (system owner's administrators)" })
  @ApiOkResponse({ type: RegionDto })
  @ApiConflictResponse({ description: '`already_exists`: the name is taken' })
  update(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Body() body: UpdateRegionDto): Promise<RegionDto> {
    return this.regions.update(scope, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a region; 409 while customers use it' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: '`in_use`: customers use the region' })
  async remove(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.regions.remove(scope, id);
  }
}

@ApiTags('system')
@ApiBearerAuth()
@Controller('api/v1/dial-plans')
export class DialPlansController {
  constructor(private readonly dialPlans: DialPlansService) {}

  @Get()
  @ApiOperation({ summary: "Dial plans the acting customer may use: its own and its ancestors'" })
  @ApiListOk(DialPlanPageDto, `the columns ${DIAL_PLAN_CSV_HEADER.join(', ')}; sorted by \`sort\``)
  @ApiBadRequestResponse({ description: 'an unknown `sort` column or bad paging' })
  async list(@CurrentScope() scope: Scope, @Query() query: NamedListQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await answerList(req, res, query.format, () => this.dialPlans.list(scope, query), () => ({
      filename: 'dial-plans.csv',
      header: DIAL_PLAN_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.dialPlans.list(scope, { ...query, page, pageSize }), dialPlanCsvRow),
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dial plan (own or an ancestor’s)' })
  @ApiOkResponse({ type: DialPlanDto })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<DialPlanDto> {
    return this.dialPlans.get(scope, id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a dial plan owned by the acting customer (a reseller)' })
  @ApiCreatedResponse({ type: DialPlanDto })
  @ApiConflictResponse({ description: '`already_exists`: the name is taken' })
  @ApiBody({ type: CreateDialPlanDto })
  async create(@CurrentScope() scope: Scope, @Body() body: JsonBody): Promise<DialPlanDto> {
    const { dto, problems } = await validatePartial(CreateDialPlanDto, body);
    return this.dialPlans.create(scope, dto, problems);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an own dial plan' })
  @ApiOkResponse({ type: DialPlanDto })
  @ApiConflictResponse({ description: '`already_exists`: the name is taken' })
  update(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Body() body: UpdateDialPlanDto): Promise<DialPlanDto> {
    return this.dialPlans.update(scope, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an own dial plan; 409 while a customer or rate plan uses it' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: '`in_use`: a customer or rate plan uses it' })
  async remove(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.dialPlans.remove(scope, id);
  }
}

@ApiTags('system')
@ApiBearerAuth()
@Controller('api/v1/exchange-rates')
export class ExchangeRatesController {
  constructor(private readonly rates: ExchangeRatesService) {}

  @Get()
  @ApiOperation({ summary: 'Exchange rates, newest validFrom first (units of currency per unit of the system currency): filter, sort, or CSV' })
  @ApiListOk(ExchangeRatePageDto, `the columns ${EXCHANGE_RATE_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'a bad currency, an unknown `sort` column or bad paging' })
  async list(@CurrentScope() scope: Scope, @Query() query: ExchangeRateQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await answerList(req, res, query.format, () => this.rates.list(scope, query), () => ({
      filename: 'exchange-rates.csv',
      header: EXCHANGE_RATE_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.rates.list(scope, { ...query, page, pageSize }), exchangeRateCsvRow),
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One exchange rate' })
  @ApiOkResponse({ type: ExchangeRateDto })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<ExchangeRateDto> {
    return this.rates.get(scope, id);
  }

  @Post()
  @ApiOperation({ summary: "Record a rate from an instant on (system owner's administrators); 409 for the same currency and validFrom" })
  @ApiCreatedResponse({ type: ExchangeRateDto })
  @ApiConflictResponse({ description: '`already_exists`: a rate for the same currency and validFrom' })
  @ApiBody({ type: CreateExchangeRateDto })
  async create(@CurrentScope() scope: Scope, @Body() body: JsonBody): Promise<ExchangeRateDto> {
    const { dto, problems } = await validatePartial(CreateExchangeRateDto, body);
    return this.rates.create(scope, dto, problems);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: "Delete an exchange rate (system owner's administrators)" })
  @ApiNoContentResponse()
  async remove(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.rates.remove(scope, id);
  }
}
