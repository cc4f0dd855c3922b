import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';

export class TokenRequestDto {
  @ApiProperty({ example: 'admin' }) @IsString() @Length(1, 100) username: string;
  @ApiProperty() @IsString() @Length(1, 200) password: string;
}

export class TokenResponseDto {
  @ApiProperty() token: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'switch-1' }) @IsString() @Length(1, 100) name: string;
}

export class ApiKeyDto {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'first characters of the key' }) keyPrefix: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'the key itself; shown only in this answer' }) secret: string;
}

export class SetPasswordDto {
  @ApiProperty() @IsString() @MaxLength(200) token: string;
  @ApiProperty({ minLength: 10 }) @IsString() @MaxLength(200) password: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @MaxLength(200) currentPassword: string;
  @ApiProperty({ minLength: 10, maxLength: 200 }) @IsString() @MaxLength(200) newPassword: string;
}

export class MeDto {
  @ApiProperty() personId: number;
  @ApiProperty() username: string;
  @ApiProperty() role: string;
  @ApiProperty() customerId: number;
  @ApiProperty() actingCustomerId: number;
}
