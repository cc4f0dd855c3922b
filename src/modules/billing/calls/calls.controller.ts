import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentScope } from '../../../shared/http/decorators';
import type { Scope } from '../../../shared/scope';
import { CallControlService, MAX_BATCH_ITEMS } from './call-control.service';
import { AuthorizationDto, AuthorizeDto, CdrBatchResultDto, CdrDto, CdrResultDto } from './dto/calls.dto';

@ApiTags('calls')
@ApiBearerAuth()
@Controller('api/v1/calls')
export class CallsController {
  constructor(private readonly calls: CallControlService) {}

  @Post('authorize')
  @HttpCode(200)
  @ApiOperation({
    summary: 'May this call go ahead? Asked by a switch before each call',
    description:
      'Answers `{ allowed: true, maxDurationSeconds }` and holds a reservation of that call’s price on the balance of the customer and ' +
      'of every charged ancestor until the CDR arrives (or the maximum duration plus the grace period passes), or `{ allowed: false, ' +
      'reason, code, message }` where reason is one of locked, billing_type, no_rate, concurrent_limit, daily_limit, no_credit. ' +
      'Repeating an authorisation of a call in progress with the same data answers the same; with other data, or after the call ' +
      'ended, it is a 409. The customer is named by `customerId` or by `sipAccount` and must be in the caller’s tree.',
  })
  @ApiOkResponse({ type: AuthorizationDto })
  @ApiBadRequestResponse({
    description: 'malformed input (numbers with non-digits, a bad call id, both or neither of customerId and sipAccount)',
  })
  @ApiForbiddenResponse({ description: 'not an administrator or API key' })
  @ApiNotFoundResponse({ description: 'unknown customer or SIP account, or outside the caller’s tree' })
  @ApiConflictResponse({ description: 'the call id is in use with other data, or the call has ended' })
  authorize(@CurrentScope() scope: Scope, @Body() dto: AuthorizeDto): Promise<AuthorizationDto> {
    return this.calls.authorize(scope, dto);
  }

  @Post('cdrs')
  @ApiOperation({
    summary: 'Report a finished call: rated and charged at every level, exactly once',
    description:
      'Charges the customer and each charged ancestor at its own price in one transaction and releases the authorisation’s ' +
      'reservation. The same CDR again answers the first result with `replayed: true` (200) and moves nothing; the same call id ' +
      'with other data is a 409. `answeredAt: null` is an unanswered call (no charge).',
  })
  @ApiCreatedResponse({ type: CdrResultDto, description: 'charged now' })
  @ApiOkResponse({ type: CdrResultDto, description: 'a replay: charged before, nothing moved' })
  @ApiBadRequestResponse({ description: 'malformed input: end before start, absurd durations, non-digit numbers...' })
  @ApiNotFoundResponse({ description: 'unknown customer or SIP account, or outside the caller’s tree' })
  @ApiConflictResponse({ description: 'the call id was reported with other data' })
  @ApiUnprocessableEntityResponse({ description: 'no_rate: the destination has no rate at some level' })
  async cdr(@CurrentScope() scope: Scope, @Body() dto: CdrDto, @Res({ passthrough: true }) res: Response): Promise<CdrResultDto> {
    const result = await this.calls.postCdr(scope, dto);
    res.status(result.replayed ? 200 : 201);
    return result;
  }

  @Post('cdrs/batch')
  @ApiOperation({
    summary: `Report up to ${MAX_BATCH_ITEMS} finished calls at once: all applied or none`,
    description:
      'The body is a JSON array of CDRs. Every item is checked first; any bad item refuses the whole batch with `details` naming ' +
      'each bad item by its index (`[3].called`), and nothing is applied. Otherwise all are charged in one transaction; items ' +
      'posted before answer their first result with `replayed: true`.',
  })
  @ApiBody({ type: [CdrDto] })
  @ApiOkResponse({ type: CdrBatchResultDto })
  @ApiBadRequestResponse({ description: 'not an array, too many items, or malformed items (each named by index)' })
  @ApiNotFoundResponse({ description: 'items whose customer is unknown or outside the caller’s tree (each named by index)' })
  @ApiConflictResponse({ description: 'items whose call id was reported with other data' })
  @ApiUnprocessableEntityResponse({ description: 'no_rate for some items (each named by index)' })
  @HttpCode(200)
  async batch(@CurrentScope() scope: Scope, @Body() body: unknown): Promise<CdrBatchResultDto> {
    return { items: await this.calls.postCdrBatch(scope, body) };
  }
}
