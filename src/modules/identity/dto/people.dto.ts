import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { FormatParam, SortParam, type ListFormat } from '../../../shared/http/list-query';
import { PageQuery } from '../../../shared/pagination';
import { IsPlainText } from '../../../shared/validation';
import { ROLES, type Role } from '../../../shared/scope';

/** Login names: letters, digits and . _ @ + - (so an email address works as a username). */
export const PERSON_USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$/;
const USERNAME_MESSAGE = 'must be 1 to 100 letters, digits or . _ @ + -, starting with a letter or digit';

/** PATCH fields that may be left out but not set to null. */
const IsOptionalNotNull = () => ValidateIf((_obj: object, value: unknown) => value !== undefined);

export class CreatePersonDto {
  @ApiProperty({ example: 'jane', description: 'login name, unique on the whole platform' })
  @IsString()
  @Matches(PERSON_USERNAME_PATTERN, { message: USERNAME_MESSAGE })
  username: string;

  @ApiProperty({ example: 'Jane Doe' })
  @IsString()
  @Length(1, 100)
  @IsPlainText()
  displayName: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'required when no password is given: the login details go here',
    example: 'ops@acme.example',
  })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @ApiProperty({ enum: ROLES, description: 'administrator: may change things; user: may only read' })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({
    minLength: 10,
    maxLength: 200,
    description: 'when left out, a one-time link to set the password is emailed',
    example: 'Zq8vT2mW9xLp',
  })
  @IsOptional()
  @IsString()
  @Length(10, 200)
  password?: string;
}

export class UpdatePersonDto {
  @ApiPropertyOptional({ example: 'Ada Lovelace' })
  @IsOptionalNotNull()
  @IsString()
  @Length(1, 100)
  @IsPlainText()
  displayName?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'ops@acme.example' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptionalNotNull()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({
    minLength: 10,
    maxLength: 200,
    description: "sets the password; ends the person's other logins",
    example: 'Zq8vT2mW9xLp',
  })
  @IsOptionalNotNull()
  @IsString()
  @Length(10, 200)
  password?: string;
}

/** The columns a people list sorts by; username by default. */
export const PEOPLE_SORTS = ['username', 'displayName', 'email', 'role', 'lastLoginAt', 'createdAt'] as const;
export type PeopleSort = (typeof PEOPLE_SORTS)[number];

export class PeopleQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'text contained in the username, name or email' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ enum: ROLES, description: 'only people with this role' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @SortParam(PEOPLE_SORTS, 'username')
  sort?: string;

  @FormatParam()
  format?: ListFormat;
}

export class PersonDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ type: 'integer', example: 12 }) customerId: number;
  @ApiProperty({ example: 'ops@acme.example' }) username: string;
  @ApiProperty({ example: 'Ada Lovelace' }) displayName: string;
  @ApiProperty({ type: String, nullable: true, example: 'ops@acme.example' }) email: string | null;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ description: 'false until the person has set a password', example: true }) passwordSet: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-25T19:00:00.000Z' }) lastLoginAt: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) createdAt: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T19:00:00.000Z' }) updatedAt: string;
}

export class CreatedPersonDto extends PersonDto {
  @ApiProperty({ description: 'true when a set-password link was emailed (no password was given)', example: true }) loginLinkSent: boolean;
}

export class PersonPageDto {
  @ApiProperty({ type: [PersonDto] }) items: PersonDto[];
  @ApiProperty({ type: 'integer', example: 1 }) page: number;
  @ApiProperty({ type: 'integer', example: 50 }) pageSize: number;
  @ApiProperty({ type: 'integer', example: 1 }) total: number;
}

export class LoginLinkSentDto {
  @ApiProperty({ description: 'the address the link was sent to' }) to: string;
  @ApiProperty({ format: 'date-time', description: 'when the link stops working', example: '2026-11-25T23:05:00.000Z' }) expiresAt: string;
}
