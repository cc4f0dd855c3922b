import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseIntPipe, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Clock } from '../../shared/clock';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../../shared/errors';
import { AcceptsBody } from '../../shared/http/body-media-type.guard';
import { CurrentScope } from '../../shared/http/decorators';
import { answerList, ApiListOk, csvRowsOfPages } from '../../shared/http/list-query';
import { type JsonBody, validatePartial } from '../../shared/http/partial-validation';
import type { Scope } from '../../shared/scope';
import { spoolUpload } from './deck-upload';
import { PlanPriceLookupDto, PriceLookupDto, PriceQuery } from './dto/price.dto';
import { CreateRatePlanDto, ListRatePlansQuery, RatePlanDto, RatePlanPageDto, UpdateRatePlanDto } from './dto/rate-plan.dto';
import {
  CreateRateDto,
  ExportRatesQuery,
  ImportRatesQuery,
  ImportResultDto,
  ListRatesQuery,
  RateDeckDto,
  RateDto,
  RatePageDto,
  UpdateRateDto,
} from './dto/rate.dto';
import { RatePlansRepository } from './rate-plans.repository';
import { RATE_PLAN_CSV_HEADER, ratePlanCsvRow, RatePlansService } from './rate-plans.service';
import { RATE_CSV_HEADER, rateCsvRow, RatesService } from './rates.service';
import { PLAN_LEVEL_ID, RatingService, toPriceLookupDto } from './rating.service';

export const RATE_DECK_MAX_BYTES = Symbol('RATE_DECK_MAX_BYTES');

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

@ApiTags('rate plans')
@ApiBearerAuth()
@Controller('api/v1/rate-plans')
export class RatePlansController {
  constructor(
    private readonly plans: RatePlansService,
    private readonly rates: RatesService,
    @Inject(RATE_DECK_MAX_BYTES) private readonly maxDeckBytes: number,
  ) {}

  @Post()
  @ApiOperation({ summary: "Create a rate plan (owned by the acting customer, or `ownerId` of the caller's tree)" })
  @ApiCreatedResponse({ type: RatePlanDto })
  @ApiNotFoundResponse({ description: 'the owner or the inherited plan is not in the caller’s tree' })
  @ApiBody({ type: CreateRatePlanDto })
  async create(@CurrentScope() scope: Scope, @Body() body: JsonBody): Promise<RatePlanDto> {
    // Every problem at once (issue #14): format errors and the reference checks together.
    const { dto, problems } = await validatePartial(CreateRatePlanDto, body);
    return this.plans.create(scope, dto, problems);
  }

  @Get()
  @ApiOperation({ summary: 'Own rate plans and plans shared with the acting customer, each marked `editable`: search, filter, sort, or CSV' })
  @ApiListOk(RatePlanPageDto, `the columns ${RATE_PLAN_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'a bad filter, an unknown `sort` column or bad paging' })
  @ApiNotFoundResponse({ description: 'ownerId is not in the caller’s tree' })
  async list(@CurrentScope() scope: Scope, @Query() q: ListRatePlansQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await answerList(req, res, q.format, () => this.plans.list(scope, q), () => ({
      filename: 'rate-plans.csv',
      header: RATE_PLAN_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.plans.list(scope, { ...q, page, pageSize }), ratePlanCsvRow),
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A rate plan: own values (null = inherit) and `effective` values' })
  @ApiOkResponse({ type: RatePlanDto })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<RatePlanDto> {
    return this.plans.get(scope, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a rate plan (owner only; a sharee gets 403)' })
  @ApiOkResponse({ type: RatePlanDto })
  @ApiNotFoundResponse({ description: 'the plan, or the plan it should inherit from, is not in the caller’s tree' })
  @ApiConflictResponse({
    description: '`in_use` (a currency or sharing change its users or inheritors forbid) or `conflict` (an inheritance cycle)',
  })
  @ApiBody({ type: UpdateRatePlanDto })
  async update(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Body() body: JsonBody): Promise<RatePlanDto> {
    const { dto, problems } = await validatePartial(UpdateRatePlanDto, body);
    return this.plans.update(scope, id, dto, problems);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rate plan: refused (409) while customers or other plans use it, and for the cost plan' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: '`in_use`: customers or other plans use the plan, or it is the cost plan' })
  async remove(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.plans.remove(scope, id);
  }

  @Get(':id/rate-decks')
  @ApiOperation({ summary: "The plan's rate decks (newest first): pending, active (in force now) or superseded" })
  @ApiOkResponse({ type: [RateDeckDto] })
  decks(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<RateDeckDto[]> {
    return this.rates.decks(scope, id);
  }

  @Get(':id/rates.csv')
  @ApiOperation({ summary: 'Export the rates in force now (or `at`, or deck `deckId`) as a CSV deck that imports back unchanged' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ schema: { type: 'string' } })
  async exportCsv(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() q: ExportRatesQuery,
    @Res() res: Response,
  ): Promise<void> {
    // Headers only once the plan is found: an error must still answer as JSON (res.json keeps a Content-Type set before).
    await this.rates.exportDeck(scope, id, q, res, () => {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="rate-plan-${id}.csv"`);
    });
  }

  @Get(':id/rates')
  @ApiOperation({
    summary: 'Rates of the deck in force now (or `at`, or deck `deckId`): search by number, prefix or destination, filter, sort, or CSV',
    description: 'For a deck that imports back, use `rates.csv`; this CSV is the list as shown, with its search, filter and sort.',
  })
  @ApiListOk(RatePageDto, `the columns ${RATE_CSV_HEADER.join(', ')}`)
  @ApiBadRequestResponse({ description: 'a bad filter, an unknown `sort` column or bad paging' })
  async listRates(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() q: ListRatesQuery,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await answerList(req, res, q.format, () => this.rates.list(scope, id, q), () => ({
      filename: `rate-plan-${id}-rates.csv`,
      header: RATE_CSV_HEADER,
      slices: csvRowsOfPages((page, pageSize) => this.rates.list(scope, id, { ...q, page, pageSize }), rateCsvRow),
    }));
  }

  @Post(':id/rates')
  @ApiOperation({ summary: 'Add one rate to the deck in force now (owner only)' })
  @ApiCreatedResponse({ type: RateDto })
  @ApiConflictResponse({ description: '`already_exists`: the deck has a rate for the same prefix, direction and time band' })
  @ApiBody({ type: CreateRateDto })
  async createRate(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Body() body: JsonBody): Promise<RateDto> {
    const { dto, problems } = await validatePartial(CreateRateDto, body);
    return this.rates.create(scope, id, dto, problems);
  }

  @Put(':id/rates')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import a CSV rate deck that replaces the plan’s rates (owner only)',
    description:
      'Header `prefix,destination,connect_fee,included_seconds,per_minute,first_block,increment,minimum_charge,direction`, optional ' +
      '`per_message,days,start_time,end_time,priority,valid_from,valid_until`. The whole deck is validated; any bad line refuses it ' +
      '(400, `details` name each line as `line N`) and nothing changes. `?preview=true` answers `{ added, changed, removed }` without ' +
      'applying. `?effectiveFrom=` (future) loads it now and puts it in force then. Larger than RATE_DECK_MAX_BYTES: 413.',
  })
  @ApiConsumes('text/csv')
  @AcceptsBody(...CSV_TYPES)
  @ApiBody({
    // The raw file, not a JSON string (src/openapi.ts adds 3.1's contentMediaType).
    schema: {
      type: 'string',
      format: 'binary',
      example:
        'prefix,destination,connect_fee,included_seconds,per_minute,first_block,increment,minimum_charge,direction\n49,Germany,0,0,0.012,1,1,0,outbound\n',
    },
  })
  @ApiOkResponse({ type: ImportResultDto })
  async importCsv(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() q: ImportRatesQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportResultDto> {
    const options = RatesService.importOptions(q);
    await this.rates.assertCanImport(scope, id);
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!CSV_TYPES.includes(type))
      throw new UnsupportedMediaTypeError('send the rate deck as the request body with Content-Type: text/csv');
    const length = req.headers['content-length'] ? Number(req.headers['content-length']) : undefined;
    let upload;
    try {
      upload = await spoolUpload(req, this.maxDeckBytes, length);
    } catch (err) {
      // Stop reading an oversized body: close the connection after the answer.
      if (err instanceof PayloadTooLargeError) res.setHeader('Connection', 'close');
      throw err;
    }
    try {
      const result = await this.rates.importDeck(scope, id, upload.path, options);
      return {
        applied: result.applied,
        rows: result.rows,
        deck: result.deck,
        ...(result.diff ?? { added: null, changed: null, removed: null, unchanged: null }),
      };
    } finally {
      await upload.cleanup();
    }
  }

  @Get(':id/rates/:rateId')
  @ApiOperation({ summary: 'One rate of the plan' })
  @ApiOkResponse({ type: RateDto })
  getRate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('rateId', ParseIntPipe) rateId: number,
  ): Promise<RateDto> {
    return this.rates.get(scope, id, rateId);
  }

  @Patch(':id/rates/:rateId')
  @ApiOperation({ summary: 'Change one rate (owner only)' })
  @ApiOkResponse({ type: RateDto })
  @ApiConflictResponse({ description: '`already_exists`: the deck has a rate for the same prefix, direction and time band' })
  updateRate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('rateId', ParseIntPipe) rateId: number,
    @Body() dto: UpdateRateDto,
  ): Promise<RateDto> {
    return this.rates.update(scope, id, rateId, dto);
  }

  @Delete(':id/rates/:rateId')
  @ApiOperation({ summary: 'Delete one rate from the deck in force now (owner only)' })
  @HttpCode(204)
  @ApiNoContentResponse()
  async deleteRate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('rateId', ParseIntPipe) rateId: number,
  ): Promise<void> {
    await this.rates.remove(scope, id, rateId);
  }
}

@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/v1/customers')
export class PriceController {
  constructor(
    private readonly rating: RatingService,
    private readonly clock: Clock,
  ) {}

  @Get(':id/price')
  @ApiOperation({
    summary: 'What a call would cost this customer and each level above it',
    description:
      'Levels: the customer first, then its ancestors within the caller’s tree, then (for the system owner only) the cost level. ' +
      'A level with no rate of its own uses the level above marked up by its plan. No rate for a charged level: 422 `no_rate`.',
  })
  @ApiOkResponse({ type: PriceLookupDto })
  @ApiUnprocessableEntityResponse({
    description: '`no_rate` (no rate for the number at some level) or `no_exchange_rate` (a level’s currency has no rate in force)',
  })
  async price(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Query() q: PriceQuery): Promise<PriceLookupDto> {
    const rated = await this.rating.priceLookup(
      scope,
      id,
      { number: q.number, direction: q.direction, at: q.at ? new Date(q.at) : undefined, duration: q.duration },
      this.clock.now(),
    );
    return toPriceLookupDto(rated);
  }
}

@ApiTags('rate plans')
@ApiBearerAuth()
@Controller('api/v1/rate-plans')
export class PlanPriceController {
  constructor(
    private readonly rating: RatingService,
    private readonly plans: RatePlansService,
    private readonly repo: RatePlansRepository,
    private readonly clock: Clock,
  ) {}

  @Get(':id/price')
  @ApiOperation({
    summary: 'What a call would cost a customer on this plan, and each level above it',
    description:
      'The price lookup of `GET /customers/{id}/price` for a plan the caller may see: a customer on the plan (its level has ' +
      'customerId null) under the plan’s owner, or under the acting customer for a plan shared with it from above. No rate ' +
      'for a charged level: 422 `no_rate`.',
  })
  @ApiOkResponse({ type: PlanPriceLookupDto })
  @ApiNotFoundResponse({ description: 'the plan is not one the caller may see' })
  @ApiUnprocessableEntityResponse({
    description: '`no_rate` (no rate for the number at some level) or `no_exchange_rate` (a level’s currency has no rate in force)',
  })
  async price(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Query() q: PriceQuery): Promise<PlanPriceLookupDto> {
    const { plan } = await this.plans.findVisible(this.repo.manager, scope, id);
    const rated = await this.rating.planPriceLookup(
      scope,
      plan,
      { number: q.number, direction: q.direction, at: q.at ? new Date(q.at) : undefined, duration: q.duration },
      this.clock.now(),
    );
    const dto = toPriceLookupDto(rated);
    return { ...dto, levels: dto.levels.map((l) => ({ ...l, customerId: l.customerId === PLAN_LEVEL_ID ? null : l.customerId })) };
  }
}
