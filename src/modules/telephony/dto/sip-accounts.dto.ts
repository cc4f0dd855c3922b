import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsPlainText } from '../../../shared/validation';
import { SIP_SECRET_PATTERN, SIP_USERNAME_PATTERN } from '../domain/identifiers';
import { IsOptionalNotNull } from './common';

const USERNAME_MESSAGE = 'must be 1 to 50 letters, digits, ".", "_" or "-", starting with a letter or digit';
const SECRET_MESSAGE = 'must be 12 to 64 printable characters without spaces';

export class CreateSipAccountDto {
  @ApiPropertyOptional({ example: '12-1', description: 'unique on the whole platform; default "<customerId>-<n>"' })
  @IsOptional()
  @IsString()
  @Matches(SIP_USERNAME_PATTERN, { message: USERNAME_MESSAGE })
  username?: string;

  @ApiProperty({ example: 'Reception' })
  @IsString()
  @Length(1, 100)
  @IsPlainText()
  displayName: string;

  @ApiPropertyOptional({
    description: 'at least 12 characters; generated (20 characters) when left out. Shown only in the answer',
    example: 'Zq8vT2mW9xLp',
  })
  @IsOptional()
  @IsString()
  @Matches(SIP_SECRET_PATTERN, { message: SECRET_MESSAGE })
  secret?: string;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 10000, description: "null = the customer's limit" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  maxConcurrentCalls?: number | null;
}

export class UpdateSipAccountDto {
  @ApiPropertyOptional({ example: 'Reception' })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 100)
  @IsPlainText()
  displayName?: string;

  @ApiPropertyOptional({ description: 'a new secret (at least 12 characters); the answer does not repeat it', example: 'Zq8vT2mW9xLp' })
  @IsOptionalNotNull()
  @IsString()
  @Matches(SIP_SECRET_PATTERN, { message: SECRET_MESSAGE })
  secret?: string;

  @ApiPropertyOptional({ description: 'true: generate a new secret and show it once in the answer' })
  @IsOptionalNotNull()
  @IsBoolean()
  regenerateSecret?: boolean;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 10000, description: "null = the customer's limit" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  maxConcurrentCalls?: number | null;
}

export class SipAccountDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ example: 'ops@acme.example' }) username: string;
  @ApiProperty({ example: 'Ada Lovelace' }) displayName: string;
  @ApiProperty({ type: 'integer', nullable: true }) maxConcurrentCalls: number | null;
  @ApiProperty({ type: [String], description: 'numbers routed to this line' }) numbers: string[];
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
}

export class SipAccountWithSecretDto extends SipAccountDto {
  @ApiPropertyOptional({ description: 'present only when the secret was just created or regenerated', example: 'Zq8vT2mW9xLp' })
  secret?: string;
}

export class SipAccountPageDto {
  @ApiProperty({ type: [SipAccountDto] }) items: SipAccountDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}
