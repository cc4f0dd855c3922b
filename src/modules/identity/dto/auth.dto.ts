import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';

export class TokenRequestDto {
  @ApiProperty({ example: 'admin', minLength: 1, maxLength: 100 }) @IsString() @Length(1, 100) username: string;
  @ApiProperty({ example: 'correct horse battery staple', minLength: 1, maxLength: 200 }) @IsString() @Length(1, 200) password: string;
}

export class TokenResponseDto {
  @ApiProperty({ example: 'Q2hhbmdlIG1lIGlmIHlvdSBjYW4uLi4' }) token: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-26T19:00:00.000Z' }) expiresAt: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'switch-1', minLength: 1, maxLength: 100 }) @IsString() @Length(1, 100) name: string;
}

export class ApiKeyDto {
  @ApiProperty({ type: 'integer', example: 3 }) id: number;
  @ApiProperty({ example: 'switch-1' }) name: string;
  @ApiProperty({ description: 'first characters of the key', example: 'vbk_3f9a' }) keyPrefix: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, example: null }) lastUsedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'the key itself; shown only in this answer', example: 'vbk_3f9a2c…' }) secret: string;
}

export class SetPasswordDto {
  @ApiProperty({ maxLength: 200, description: 'from the link in the email' }) @IsString() @MaxLength(200) token: string;
  @ApiProperty({ minLength: 10, maxLength: 200, example: 'a-long-password-1' }) @IsString() @MaxLength(200) password: string;
}

export class ChangePasswordDto {
  @ApiProperty({ maxLength: 200, example: 'my-old-password-1' }) @IsString() @MaxLength(200) currentPassword: string;
  @ApiProperty({ minLength: 10, maxLength: 200, example: 'my-new-password-2' }) @IsString() @MaxLength(200) newPassword: string;
}

export class MeDto {
  @ApiProperty({ type: 'integer', example: 1 }) personId: number;
  @ApiProperty({ example: 'admin' }) username: string;
  @ApiProperty({ enum: ['administrator', 'user'], example: 'administrator' }) role: string;
  @ApiProperty({ type: 'integer', description: 'the customer the person belongs to', example: 1 }) customerId: number;
  @ApiProperty({ type: 'integer', description: 'the customer the token acts for (differs after a switch)', example: 1 })
  actingCustomerId: number;
}
