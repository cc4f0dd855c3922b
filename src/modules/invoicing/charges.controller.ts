import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { ChargesService } from './charges.service';
import { ChargeDto, CreateChargeDto } from './dto/charges.dto';

@ApiTags('invoicing')
@ApiBearerAuth()
@Controller('api/v1/customers/:customerId/charges')
export class ChargesController {
  constructor(private readonly charges: ChargesService) {}

  @Post()
  @ApiOperation({
    summary: 'Put a one-off or recurring charge on a customer (administrators of an ancestor)',
    description:
      "A one-off charge is debited at once (ledger type `charge`); a recurring one now for the current billing period and then at the start of every period of the customer's rate plan, until ended. Either reaches the invoice of the period it was debited in.",
  })
  @ApiCreatedResponse({ type: ChargeDto })
  @ApiForbiddenResponse({ description: "the caller's own customer, or not an administrator" })
  @ApiNotFoundResponse({ description: "the customer does not exist, is deleted or is outside the caller's tree" })
  @ApiUnprocessableEntityResponse({ description: "a recurring charge on a customer whose rate plan has no billing periods (indefinite)" })
  create(@CurrentScope() scope: Scope, @Param('customerId', ParseIntPipe) customerId: number, @Body() body: CreateChargeDto): Promise<ChargeDto> {
    return this.charges.create(scope, customerId, body);
  }

  @Get()
  @ApiOperation({ summary: "A customer's charges, newest first" })
  @ApiOkResponse({ type: [ChargeDto] })
  @ApiNotFoundResponse({ description: "the customer does not exist or is outside the caller's tree" })
  list(@CurrentScope() scope: Scope, @Param('customerId', ParseIntPipe) customerId: number): Promise<ChargeDto[]> {
    return this.charges.list(scope, customerId);
  }

  @Delete(':chargeId')
  @HttpCode(200)
  @ApiOperation({ summary: 'End a recurring charge: no period starting from now on is charged (what was debited stays)' })
  @ApiOkResponse({ type: ChargeDto })
  @ApiForbiddenResponse({ description: "the caller's own customer, or not an administrator" })
  @ApiNotFoundResponse({ description: "no such charge of this customer, or outside the caller's tree" })
  @ApiConflictResponse({ description: 'a one-off charge, or one already ended' })
  end(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('chargeId', ParseIntPipe) chargeId: number,
  ): Promise<ChargeDto> {
    return this.charges.end(scope, customerId, chargeId);
  }
}
