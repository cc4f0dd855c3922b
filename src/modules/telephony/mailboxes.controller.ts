import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { SearchQueryDto } from './dto/common';
import { CurrentScope } from '../../shared/http/decorators';
import type { Page } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { CreateMailboxDto, MailboxDto, MailboxPageDto, MailboxWithPinDto, UpdateMailboxDto } from './dto/mailboxes.dto';
import { MailboxesService } from './mailboxes.service';

@ApiTags('mailboxes')
@ApiBearerAuth()
@Controller('api/v1/customers/:customerId/mailboxes')
export class MailboxesController {
  constructor(private readonly mailboxes: MailboxesService) {}

  @Get()
  @ApiOperation({ summary: "The customer's mailboxes; PINs are never shown" })
  @ApiOkResponse({ type: MailboxPageDto })
  list(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Query() q: SearchQueryDto,
  ): Promise<Page<MailboxDto>> {
    return this.mailboxes.list(scope, customerId, q);
  }

  @Post()
  @ApiOperation({ summary: 'Create a mailbox; the answer shows the PIN (only this once)' })
  @ApiCreatedResponse({ type: MailboxWithPinDto })
  @ApiConflictResponse({ description: '`already_exists`: the mailbox number is taken' })
  create(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Body() body: CreateMailboxDto,
  ): Promise<MailboxWithPinDto> {
    return this.mailboxes.create(scope, customerId, body);
  }

  @Get(':mailboxId')
  @ApiOperation({ summary: 'One mailbox of the customer' })
  @ApiOkResponse({ type: MailboxDto })
  get(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
  ): Promise<MailboxDto> {
    return this.mailboxes.get(scope, customerId, mailboxId);
  }

  @Patch(':mailboxId')
  @ApiOperation({ summary: 'Change a mailbox; with regeneratePin the answer shows the new PIN' })
  @ApiOkResponse({ type: MailboxWithPinDto })
  @ApiConflictResponse({ description: '`already_exists`: the mailbox number is taken' })
  update(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
    @Body() body: UpdateMailboxDto,
  ): Promise<MailboxWithPinDto> {
    return this.mailboxes.update(scope, customerId, mailboxId, body);
  }

  @Delete(':mailboxId')
  @ApiOperation({ summary: 'Delete a mailbox of the customer' })
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(
    @CurrentScope() scope: Scope,
    @Param('customerId', ParseIntPipe) customerId: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
  ): Promise<void> {
    await this.mailboxes.remove(scope, customerId, mailboxId);
  }
}
