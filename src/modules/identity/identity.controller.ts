import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AllowUsers, CurrentScope, Public, type ScopedRequest } from '../../shared/http/decorators';
import { type JsonBody, validatePartial } from '../../shared/http/partial-validation';
import type { Scope } from '../../shared/scope';
import {
  ApiKeyDto,
  ChangePasswordDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  MeDto,
  SetPasswordDto,
  TokenRequestDto,
  TokenResponseDto,
} from './dto/auth.dto';
import { ApiKeyEntity } from './entities/api-key.entity';
import { IdentityRepository } from './identity.repository';
import { IdentityService } from './identity.service';

const toApiKeyDto = (k: ApiKeyEntity): ApiKeyDto => ({
  id: k.id,
  name: k.name,
  keyPrefix: k.keyPrefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

@ApiTags('auth')
@Controller('api/v1')
export class IdentityController {
  constructor(
    private readonly identity: IdentityService,
    private readonly repo: IdentityRepository,
  ) {}

  @Public()
  @Post('auth/token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in and get a bearer token (throttled after repeated failures)' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: '`unauthenticated`: wrong username or password (the same answer for both)' })
  @ApiTooManyRequestsResponse({ description: '`throttled`: too many failed logins for the name or the address; see `Retry-After`' })
  async token(@Body() body: TokenRequestDto, @Req() req: Request): Promise<TokenResponseDto> {
    const issued = await this.identity.login(body.username, body.password, req.ip ?? 'unknown', 'api');
    return { token: issued.token, expiresAt: issued.expiresAt.toISOString() };
  }

  @Public()
  @Post('auth/set-password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a password with the one-time token from the login-details email' })
  @ApiNoContentResponse({ description: 'the password is set' })
  @ApiUnprocessableEntityResponse({ description: '`link_expired`: the token has expired or was already used' })
  @ApiTooManyRequestsResponse({ description: '`throttled`: too many wrong tokens from this address; see `Retry-After`' })
  async setPassword(@Body() body: SetPasswordDto, @Req() req: Request): Promise<void> {
    await this.identity.setPasswordWithToken(body.token, body.password, req.ip ?? 'unknown');
  }

  @ApiBearerAuth()
  @AllowUsers()
  @Post('auth/password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Change your own password (the current one is required; your other sessions end)' })
  @ApiNoContentResponse({ description: 'the password is changed' })
  @ApiTooManyRequestsResponse({ description: '`throttled`: too many wrong current passwords; see `Retry-After`' })
  @ApiBody({ type: ChangePasswordDto })
  async changePassword(@CurrentScope() scope: Scope, @Body() body: JsonBody, @Req() req: ScopedRequest): Promise<void> {
    const { dto, problems } = await validatePartial(ChangePasswordDto, body);
    await this.identity.changeOwnPassword(scope, req.sessionTokenHash ?? null, dto.currentPassword, dto.newPassword, problems);
  }

  @ApiBearerAuth()
  @Get('auth/me')
  @ApiOperation({ summary: 'Who the token belongs to, and the customer it acts for' })
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentScope() scope: Scope): Promise<MeDto> {
    const person = await this.repo.findPerson(scope.personId ?? -1);
    return {
      personId: scope.personId ?? 0,
      username: person?.username ?? '',
      role: scope.role,
      customerId: scope.personCustomerId,
      actingCustomerId: scope.customerId,
    };
  }

  @ApiBearerAuth()
  @AllowUsers()
  @Post('api-keys')
  @ApiOperation({ summary: 'Create a long-lived API key for yourself; the key is shown once' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async createApiKey(@CurrentScope() scope: Scope, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const { key, secret } = await this.identity.createApiKey(scope, body.name);
    return { ...toApiKeyDto(key), secret };
  }

  @ApiBearerAuth()
  @Get('api-keys')
  @ApiOperation({ summary: 'Your API keys (the secrets are never shown again)' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  async listApiKeys(@CurrentScope() scope: Scope): Promise<ApiKeyDto[]> {
    return (await this.identity.listApiKeys(scope)).map(toApiKeyDto);
  }

  @ApiBearerAuth()
  @AllowUsers()
  @Delete('api-keys/:id')
  @ApiOperation({ summary: 'Revoke one of your API keys' })
  @HttpCode(204)
  async revokeApiKey(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.identity.revokeApiKey(scope, id);
  }
}
