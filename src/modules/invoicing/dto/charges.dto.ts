import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsMoney, IsPlainText } from '../../../shared/validation';

const MONEY = { type: 'string', pattern: '^-?\\d{1,16}(\\.\\d{1,6})?$' } as const;

/** POST /api/v1/customers/:customerId/charges. */
export class CreateChargeDto {
  @ApiProperty({ maxLength: 200, example: 'Hosted PBX licence' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsPlainText()
  description: string;

  @ApiProperty({ ...MONEY, example: '15.00', description: "what the customer pays, greater than 0, in the customer's currency" })
  @IsMoney({ min: '0.000001', message: 'must be a decimal string greater than 0 with up to 6 decimal places' })
  amount: string;

  @ApiPropertyOptional({ ...MONEY, example: '9.00', description: 'what it costs the parent (for its profit), 0 or more; default 0' })
  @IsOptional()
  @IsMoney({ min: '0', message: 'must be a decimal string of 0 or more with up to 6 decimal places' })
  cost?: string;

  @ApiPropertyOptional({
    description: "true: charged at the start of every billing period of the customer's rate plan (in advance) until ended; false (default): once, now",
  })
  @IsOptional()
  @IsBoolean()
  recurring?: boolean;
}

export class ChargeDto {
  @ApiProperty() id: number;
  @ApiProperty() customerId: number;
  @ApiProperty({ example: 'Hosted PBX licence' }) description: string;
  @ApiProperty({ ...MONEY, example: '15.00' }) amount: string;
  @ApiProperty({ ...MONEY, example: '9.00' }) cost: string;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty() recurring: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'a recurring charge that was ended' }) endedAt: string | null;
  @ApiProperty({ description: 'how many times it was debited (periods, for a recurring charge)' }) postings: number;
}
