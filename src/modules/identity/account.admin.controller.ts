import { Body, Controller, Get, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { FieldError } from '../../shared/errors';
import { AllowUsers, CurrentScope } from '../../shared/http/decorators';
import type { ScopedRequest } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { pathIds } from '../../shared/customer-directory';
import { ChangePasswordDto, CreateApiKeyDto } from './dto/auth.dto';
import { IdentityService } from './identity.service';
import { PeopleService } from './people.service';
import {
  AdminPages,
  readForm,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  formatInstant,
  OneTimePages,
  submitForm,
  type Rerender,
} from '../admin/admin.api';

/**
 * "My account": the logged-in person, their API keys (a new key is shown once) and the way to the API
 * documentation. Everything here concerns the person themselves, so ordinary users may use it too.
 */
@ApiExcludeController()
@Controller('account')
export class AccountAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly identity: IdentityService,
    private readonly people: PeopleService,
    private readonly oneTime: OneTimePages,
  ) {}

  @Get()
  async show(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.render(req, res, scope, {}, {});
  }

  @AllowUsers()
  @Post('api-keys')
  async createKey(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rerender: Rerender = (errors, status) => this.render(req, res, scope, body, errors, status, 'key');
    await submitForm(CreateApiKeyDto, readForm(body, { name: 'text' }), rerender, async (dto) => {
      const created = await this.identity.createApiKey(scope, dto.name);
      // Post/Redirect/Get to a page that shows the key once (OneTimePages): a reload makes no second key.
      await this.oneTime.redirect(req, res, '/account/api-keys/created', {
        key: { name: created.key.name, prefix: created.key.keyPrefix },
        secret: created.secret,
      });
    });
  }

  /** The new key, shown once. */
  @AllowUsers()
  @Get('api-keys/created')
  async keyCreated(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.oneTime.page(req, res, 'account/key-created', (m) => ({ title: 'API key created', key: m.key, secret: m.secret }), {
      url: '/account',
      text: 'An API key is shown only once, right after it is made. If it was not copied, revoke it and make a new one.',
    });
  }

  @AllowUsers()
  @Post('password')
  async changePassword(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    // Passwords are never sent back into the form.
    const rerender: Rerender = (errors, status) => this.render(req, res, scope, {}, errors, status, 'password');
    const save = async (dto: ChangePasswordDto, problems: FieldError[]) => {
      // The repetition, the current password and the new one's length are all checked in one round.
      const typed = readForm(body, { newPassword: 'text', confirmPassword: 'text' });
      const all =
        typed.confirmPassword !== typed.newPassword
          ? [...problems, { field: 'confirmPassword', message: 'Does not match the new password.' }]
          : problems;
      const session = (req as ScopedRequest).sessionTokenHash ?? null;
      await this.identity.changeOwnPassword(scope, session, dto.currentPassword, dto.newPassword, all);
      this.pages.redirect(res, '/account', 'Password changed. Your other sessions have been logged out.');
    };
    await submitForm(ChangePasswordDto, readForm(body, { currentPassword: 'text', newPassword: 'text' }), rerender, save, { checkAll: true });
  }

  @AllowUsers()
  @Post('api-keys/:keyId/revoke')
  async revokeKey(@CurrentScope() scope: Scope, @Param('keyId', ParseIntPipe) keyId: number, @Res() res: Response): Promise<void> {
    const key = (await this.identity.listApiKeys(scope)).find((k) => k.id === keyId);
    await this.identity.revokeApiKey(scope, keyId);
    this.pages.redirect(res, '/account', `API key “${key?.name ?? keyId}” revoked: programs using it are refused from now on.`);
  }

  /** The page with its two forms; `errors` belong to the one that was sent (`form`), shown there only. */
  private async render(
    req: Request,
    res: Response,
    scope: Scope,
    values: FormBody,
    errors: FormErrors,
    status = 200,
    form: 'key' | 'password' = 'key',
  ): Promise<void> {
    const keys = await this.identity.listApiKeys(scope);
    const self = ownScope(scope);
    const person = scope.personId === null ? null : await this.people.get(self, scope.personCustomerId, scope.personId);
    await this.pages.render(
      req,
      res,
      'account/index',
      {
        title: 'My account',
        person,
        roleText: scope.role === 'administrator' ? 'Administrator (may change things)' : 'User (may only look)',
        switched: scope.switched,
        keys: keys.map((k) => ({
          id: k.id,
          name: k.name,
          prefix: k.keyPrefix,
          createdAt: formatInstant(k.createdAt),
          lastUsedAt: formatInstant(k.lastUsedAt),
          revokedAt: formatInstant(k.revokedAt),
          revoked: k.revokedAt !== null,
        })),
        values,
        keyErrors: form === 'key' ? withUnplacedErrors(errors, ['name']) : {},
        passwordErrors: form === 'password' ? withUnplacedErrors(errors, ['currentPassword', 'newPassword', 'confirmPassword']) : {},
      },
      status,
    );
  }
}

/**
 * The scope of the person's own customer, also while switched to a descendant (whose path begins with
 * it): the person's own record lies there, outside the switched-to subtree.
 */
function ownScope(scope: Scope): Scope {
  if (!scope.switched) return scope;
  const ids = pathIds(scope.customerPath);
  const i = ids.indexOf(scope.personCustomerId);
  const customerPath = i >= 0 ? `/${ids.slice(0, i + 1).join('/')}/` : scope.customerPath;
  return { ...scope, customerId: scope.personCustomerId, customerPath, switched: false };
}
