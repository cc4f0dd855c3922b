import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAILBOX_PATTERN, PIN_PATTERN } from '../domain/identifiers';
import { IsOptionalNotNull } from './common';

const MAILBOX_MESSAGE = 'must be 1 to 20 digits';
const PIN_MESSAGE = 'must be 4 to 12 digits';

export class CreateMailboxDto {
  @ApiProperty({ example: '2001', description: 'digits; unique on the whole platform' })
  @IsString()
  @Matches(MAILBOX_PATTERN, { message: MAILBOX_MESSAGE })
  mailbox: string;

  @ApiPropertyOptional({
    example: '4711',
    description: '4 to 12 digits; generated (6 digits) when left out. Shown only in the answer, stored hashed',
  })
  @IsOptional()
  @IsString()
  @Matches(PIN_PATTERN, { message: PIN_MESSAGE })
  pin?: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'where voicemail notifications go', example: 'ops@acme.example' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, description: "purge voicemails; null = the customer's setting", example: false })
  @IsOptional()
  @IsBoolean()
  purge?: boolean | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: 10000,
    description: "voicemails per folder; null = the customer's setting",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  maxPerFolder?: number | null;
}

export class UpdateMailboxDto {
  @ApiPropertyOptional({ example: '2001', description: 'digits; unique on the whole platform' })
  @IsOptionalNotNull()
  @IsString()
  @Matches(MAILBOX_PATTERN, { message: MAILBOX_MESSAGE })
  mailbox?: string;

  @ApiPropertyOptional({ description: 'a new PIN (4 to 12 digits); the answer does not repeat it', example: '4821' })
  @IsOptionalNotNull()
  @IsString()
  @Matches(PIN_PATTERN, { message: PIN_MESSAGE })
  pin?: string;

  @ApiPropertyOptional({ description: 'true: generate a new 6-digit PIN and show it once in the answer' })
  @IsOptionalNotNull()
  @IsBoolean()
  regeneratePin?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'ops@acme.example' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, example: false })
  @IsOptional()
  @IsBoolean()
  purge?: boolean | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 10000, example: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  maxPerFolder?: number | null;
}

export class MailboxDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ example: '2001' }) mailbox: string;
  @ApiProperty({ type: String, nullable: true, example: 'ops@acme.example' }) email: string | null;
  @ApiProperty({ type: Boolean, nullable: true, description: "own setting; null = the customer's", example: false }) purge: boolean | null;
  @ApiProperty({ type: 'integer', nullable: true, description: "own setting; null = the customer's", example: 100 }) maxPerFolder:
    number | null;
  @ApiProperty({ description: "purge ?? the customer's purgeVoicemail", example: false }) effectivePurge: boolean;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: "maxPerFolder ?? the customer's maxVoicemailsPerFolder (null = no limit)",
    example: 100,
  })
  effectiveMaxPerFolder: number | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
}

export class MailboxWithPinDto extends MailboxDto {
  @ApiPropertyOptional({ description: 'present only when the PIN was just generated', example: '4821' }) pin?: string;
}

export class MailboxPageDto {
  @ApiProperty({ type: [MailboxDto] }) items: MailboxDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}
