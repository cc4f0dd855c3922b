import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { FormatParam, SortParam, type ListFormat } from '../../../shared/http/list-query';
import { PageQuery } from '../../../shared/pagination';
import { OUTBOX_STATUSES, type OutboxStatus } from '../entities/outbox-email.entity';

/** The columns an outbox list sorts by; newest first by default. */
export const OUTBOX_SORTS = ['createdAt', 'to', 'subject', 'template', 'status', 'sentAt'] as const;
export type OutboxSort = (typeof OUTBOX_SORTS)[number];

export class OutboxQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES }) @IsOptional() @IsIn(OUTBOX_STATUSES) status?: OutboxStatus;

  @ApiPropertyOptional({ description: 'text contained in the recipient or the subject', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @SortParam(OUTBOX_SORTS, '-createdAt') sort?: string;
  @FormatParam() format?: ListFormat;
}

export class OutboxEmailDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ nullable: true, type: 'integer', description: 'the customer the mail concerns', example: 12 }) customerId: number | null;
  @ApiProperty({ example: 'someone@example.com' }) to: string;
  @ApiProperty() subject: string;
  @ApiProperty({ example: 'login-details', description: 'template under templates/emails' }) template: string;
  @ApiProperty({
    enum: OUTBOX_STATUSES,
    description: 'pending (waiting to be sent or retried), sending, sent, failed (gave up; can be retried), kept (no SMTP configured)',
  })
  status: OutboxStatus;
  @ApiProperty({ description: 'delivery attempts so far' }) attempts: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'next attempt, for pending mails' }) nextAttemptAt:
    string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt: string | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the rendered text body' }) bodyText: string | null;
}

export class OutboxPageDto {
  @ApiProperty({ type: [OutboxEmailDto] }) items: OutboxEmailDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}
