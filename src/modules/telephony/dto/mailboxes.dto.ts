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

  @ApiPropertyOptional({ type: String, nullable: true, description: 'where voicemail notifications go' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true, description: "purge voicemails; null = the customer's setting" })
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

  @ApiPropertyOptional({ description: 'a new PIN (4 to 12 digits); the answer does not repeat it' })
  @IsOptionalNotNull()
  @IsString()
  @Matches(PIN_PATTERN, { message: PIN_MESSAGE })
  pin?: string;

  @ApiPropertyOptional({ description: 'true: generate a new 6-digit PIN and show it once in the answer' })
  @IsOptionalNotNull()
  @IsBoolean()
  regeneratePin?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @ApiPropertyOptional({ type: Boolean, nullable: true })
  @IsOptional()
  @IsBoolean()
  purge?: boolean | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: 10000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  maxPerFolder?: number | null;
}

export class MailboxDto {
  @ApiProperty() id: number;
  @ApiProperty() customerId: number;
  @ApiProperty() mailbox: string;
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ type: Boolean, nullable: true, description: "own setting; null = the customer's" }) purge: boolean | null;
  @ApiProperty({ type: 'integer', nullable: true, description: "own setting; null = the customer's" }) maxPerFolder: number | null;
  @ApiProperty({ description: "purge ?? the customer's purgeVoicemail" }) effectivePurge: boolean;
  @ApiProperty({ type: 'integer', nullable: true, description: "maxPerFolder ?? the customer's maxVoicemailsPerFolder (null = no limit)" })
  effectiveMaxPerFolder: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MailboxWithPinDto extends MailboxDto {
  @ApiPropertyOptional({ description: 'present only when the PIN was just generated' }) pin?: string;
}

export class MailboxPageDto {
  @ApiProperty({ type: [MailboxDto] }) items: MailboxDto[];
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty() total: number;
}
