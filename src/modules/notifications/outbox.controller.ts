import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { OutboxEmailDto, OutboxPageDto, OutboxQuery } from './dto/outbox.dto';
import { OutboxService } from './outbox.service';

@ApiTags('outbox')
@ApiBearerAuth()
@Controller('api/v1/outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxService) {}

  @Get()
  @ApiOperation({ summary: "Emails concerning the acting customer's subtree, newest first (administrators)" })
  @ApiOkResponse({ type: OutboxPageDto })
  @ApiForbiddenResponse({ description: '`forbidden`: administrators only' })
  list(@CurrentScope() scope: Scope, @Query() query: OutboxQuery): Promise<OutboxPageDto> {
    return this.outbox.list(scope, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One email of the outbox' })
  @ApiOkResponse({ type: OutboxEmailDto })
  @ApiForbiddenResponse({ description: '`forbidden`: administrators only' })
  get(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<OutboxEmailDto> {
    return this.outbox.get(scope, id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Queue a failed email again (409 unless it failed)' })
  @ApiOkResponse({ type: OutboxEmailDto })
  @ApiConflictResponse({ description: '`conflict`: only a failed email can be queued again' })
  retry(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<OutboxEmailDto> {
    return this.outbox.retry(scope, id);
  }
}
