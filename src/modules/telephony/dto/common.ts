import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, ValidateIf, type ValidationOptions } from 'class-validator';
import { FormatParam, SortParam, type ListFormat } from '../../../shared/http/list-query';
import { PageQuery } from '../../../shared/pagination';

/** For PATCH fields that may be left out but not set to null. */
export function IsOptionalNotNull(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_obj: object, value: unknown) => value !== undefined, options);
}

export class SearchQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'text contained in the number, username, name or mailbox' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}

/** The columns each telephony list sorts by (the first is the default). */
export const SIP_ACCOUNT_SORTS = ['username', 'displayName', 'maxConcurrentCalls', 'createdAt'] as const;
export const MAILBOX_SORTS = ['mailbox', 'email', 'createdAt'] as const;
export const NUMBER_SORTS = ['number', 'customerId', 'createdAt'] as const;

export class SipAccountsQueryDto extends SearchQueryDto {
  @SortParam(SIP_ACCOUNT_SORTS, 'username') sort?: string;
  @FormatParam() format?: ListFormat;
}

export class MailboxesQueryDto extends SearchQueryDto {
  @SortParam(MAILBOX_SORTS, 'mailbox') sort?: string;
  @FormatParam() format?: ListFormat;
}

export class CustomerNumbersQueryDto extends SearchQueryDto {
  @SortParam(NUMBER_SORTS, 'number') sort?: string;
  @FormatParam() format?: ListFormat;
}
