import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { BusinessRuleError, type FieldError, NotFoundError, UnauthenticatedError, ValidationError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { isInSubtree, Scope } from '../../shared/scope';
import {
  API_KEY_IP_THROTTLE,
  LOGIN_IP_THROTTLE,
  LOGIN_USER_THROTTLE,
  SET_PASSWORD_IP_THROTTLE,
  ThrottleService,
} from '../../shared/throttle.service';
import { PasswordTokenEntity } from './entities/password-token.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { PersonEntity } from './entities/person.entity';
import { IdentityRepository, type LoginRow } from './identity.repository';
import { hashSecret, randomToken, sha256, verifySecret } from '../../shared/secrets';

export const WEB_SESSION_HOURS = 12;
export const API_TOKEN_HOURS = 24;
export const SET_PASSWORD_LINK_HOURS = 72;
export const API_KEY_PREFIX = 'vbk_';
export const MIN_PASSWORD_LENGTH = 10;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

@Injectable()
export class IdentityService {
  constructor(
    private readonly repo: IdentityRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly throttle: ThrottleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Checks a username and password and opens a session. Attempts are throttled per username and per
   * client address, a slot taken before the password is checked (ThrottleService.guard: at most the limit
   * of passwords is ever checked, however many arrive at once); the same vague message is given whether
   * the user exists or not. A right password forgets the username's failures.
   */
  async login(username: string, password: string, clientIp: string, kind: 'web' | 'api'): Promise<IssuedToken & { person: PersonEntity }> {
    const userKey = loginUserKey(username);
    const person = await this.throttle.guard(
      [
        { key: userKey, policy: LOGIN_USER_THROTTLE },
        { key: `login:ip:${clientIp}`, policy: LOGIN_IP_THROTTLE },
      ],
      async () => {
        const found = await this.repo.findPersonByUsername(username);
        if (!found || !(await verifySecret(found.passwordHash, password))) throw new UnauthenticatedError('wrong username or password');
        return found;
      },
      (err) => err instanceof UnauthenticatedError,
      [userKey],
    );
    const customer = await this.repo.findLiveCustomer(person.customerId);
    const state = customer ? await this.repo.pathState(customer.path) : null;
    if (!state || state.anyDeleted) throw new UnauthenticatedError('wrong username or password');
    if (state.anyWebLocked) throw new UnauthenticatedError('this account is locked from the web interface', [], 'customer_locked');
    const issued = await this.openSession(person.id, kind);
    await this.repo.touchLogin(person.id, this.clock.now());
    await this.audit.record(null, {
      action: 'login',
      entityType: 'person',
      entityId: person.id,
      customerId: person.customerId,
      details: { kind },
    });
    return { ...issued, person };
  }

  private async openSession(personId: number, kind: 'web' | 'api'): Promise<IssuedToken> {
    const token = randomToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + (kind === 'web' ? WEB_SESSION_HOURS : API_TOKEN_HOURS) * 3600_000);
    await this.repo.insertSession({ tokenHash: sha256(token), personId, kind, actingCustomerId: null, createdAt: now, expiresAt });
    return { token, expiresAt };
  }

  async logout(token: string): Promise<void> {
    await this.repo.deleteSession(sha256(token));
  }

  /**
   * Turns a bearer token or session cookie into a scope, or null. Checked on every request, so a lock
   * or delete takes effect at once, not at the next login. One statement reads the session (or API key),
   * its person, their customer with the lock and delete state of its whole path, and the acting customer;
   * a second one only for an API key not used in the last minute (to record the use) and when the
   * customer's parent ids disagree with its path.
   */
  async resolveToken(token: string, clientIp: string): Promise<{ scope: Scope; personName: string; sessionTokenHash: string | null } | null> {
    const now = this.clock.now();
    const hash = sha256(token);
    let sessionTokenHash: string | null = null;
    let login: LoginRow | null;
    if (token.startsWith(API_KEY_PREFIX)) {
      // Keys are guessable secrets too: a miss takes (and fails) a slot of the address's bucket (none free:
      // 429), and a blocked address is refused even for a right key (the lookup reads the block), so it
      // learns nothing from more guesses. A right key from an unblocked address writes nothing.
      const addressKey = `api-key:ip:${clientIp}`;
      login = await this.repo.findApiKeyLogin(hash, addressKey);
      if (!login) {
        await this.throttle.recordFailure([{ key: addressKey, policy: API_KEY_IP_THROTTLE }]);
        return null;
      }
      if (login.addressBlocked) throw await this.throttle.refused(addressKey, API_KEY_IP_THROTTLE);
      // Throttle writes: touching the key on every call would turn each read into a write.
      if (!login.lastUsedAt || now.getTime() - login.lastUsedAt.getTime() > 60_000) await this.repo.touchApiKey(login.keyId!, now);
    } else {
      login = await this.repo.findSessionLogin(hash);
      if (!login || !login.expiresAt || login.expiresAt <= now) return null;
      sessionTokenHash = hash;
    }
    const { person, own, acting: target, actingCustomerId } = login;
    if (!person || !own || !own.live) return null;
    const state = login.ownPathState ?? (await this.repo.pathState(own.path));
    if (state.anyDeleted || state.anyWebLocked) return null;
    let acting: { id: number; path: string } = own;
    if (actingCustomerId !== null && actingCustomerId !== own.id) {
      if (target && isInSubtree(own.path, target.path)) acting = target;
    }
    return {
      sessionTokenHash,
      personName: person.name,
      scope: {
        personId: person.id,
        personCustomerId: own.id,
        role: person.role,
        customerId: acting.id,
        customerPath: acting.path,
        switched: acting.id !== own.id,
        apiKeyId: login.keyId,
      },
    };
  }

  /** "Switch to" a descendant for the rest of this web session (or back, with the own customer id). */
  async switchTo(scope: Scope, sessionTokenHash: string, customerId: number): Promise<void> {
    const own = await this.repo.findLiveCustomer(scope.personCustomerId);
    const target = await this.repo.findLiveCustomer(customerId);
    if (!own || !target || !isInSubtree(own.path, target.path)) throw new NotFoundError('customer');
    if (scope.role !== 'administrator') throw new BusinessRuleError('only administrators can switch to another customer');
    await this.repo.setActingCustomer(sessionTokenHash, target.id === own.id ? null : target.id);
    await this.audit.record(scope, {
      action: target.id === own.id ? 'switch_back' : 'switch_to',
      entityType: 'customer',
      entityId: target.id,
      customerId: target.id,
    });
  }

  /** Creates a one-time set-password link token inside the caller's transaction; returns the URL. */
  async issueSetPasswordLink(em: EntityManager, personId: number): Promise<{ url: string; expiresAt: Date }> {
    const token = randomToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SET_PASSWORD_LINK_HOURS * 3600_000);
    await this.repo.insertPasswordToken(em, { personId, tokenHash: sha256(token), expiresAt, usedAt: null, createdAt: now });
    return { url: `${this.config.publicUrl}/set-password/${token}`, expiresAt };
  }

  /** Is this a link that can still be used? (For the page that shows the form.) */
  async checkSetPasswordToken(token: string, clientIp: string): Promise<PersonEntity> {
    return (await this.usablePasswordToken(token, clientIp)).person;
  }

  /**
   * The link's token row and person, or 422 `link_expired`. Links are guessable secrets: attempts are
   * throttled per client address like logins (a slot before the lookup, a miss keeps it).
   */
  private usablePasswordToken(token: string, clientIp: string): Promise<{ row: PasswordTokenEntity; person: PersonEntity }> {
    return this.throttle.guard(
      [{ key: `set-password:ip:${clientIp}`, policy: SET_PASSWORD_IP_THROTTLE }],
      async () => {
        const row = await this.repo.findPasswordToken(sha256(token));
        const person = row && !row.usedAt && row.expiresAt > this.clock.now() ? await this.repo.findPerson(row.personId) : null;
        if (!row || !person) throw new BusinessRuleError('this link has expired or was already used', [], 'link_expired');
        return { row, person };
      },
      (err) => err instanceof BusinessRuleError && err.code === 'link_expired',
    );
  }

  async setPasswordWithToken(token: string, password: string, clientIp: string): Promise<PersonEntity> {
    assertPasswordStrength(password);
    const { row, person } = await this.usablePasswordToken(token, clientIp);
    const passwordHash = await hashSecret(password);
    await this.tx.run(async (em) => {
      if (!(await this.repo.consumePasswordToken(em, row.id, this.clock.now()))) {
        throw new BusinessRuleError('this link has expired or was already used', [], 'link_expired');
      }
      await this.repo.setPasswordHash(em, person.id, passwordHash, this.clock.now());
    });
    await this.audit.record(null, { action: 'password_set', entityType: 'person', entityId: person.id, customerId: person.customerId });
    return person;
  }

  /**
   * A person changes their own password. The current one must be given (a stolen session alone must not
   * take over the account); wrong guesses count towards the login throttle. Other sessions end.
   */
  async changeOwnPassword(
    scope: Scope,
    currentSessionHash: string | null,
    currentPassword: string | undefined,
    newPassword: string | undefined,
    earlier: readonly FieldError[] = [],
  ): Promise<void> {
    const person = scope.personId === null ? null : await this.repo.findPerson(scope.personId);
    if (!person) throw new UnauthenticatedError('login required');
    // Every problem at once (issue #14): a wrong current password and a too short new one in one answer.
    const problems = new FieldProblems(earlier);
    if (currentPassword !== undefined) {
      try {
        await this.throttle.guard(
          [{ key: loginUserKey(person.username), policy: LOGIN_USER_THROTTLE }],
          async () => {
            if (!(await verifySecret(person.passwordHash, currentPassword)))
              throw ValidationError.field('currentPassword', 'is not your current password');
          },
          (err) => err instanceof ValidationError,
        );
      } catch (err) {
        // A throttled attempt (429 with Retry-After) is answered as it is.
        if (!(err instanceof ValidationError)) throw err;
        problems.addError(err, 'currentPassword');
      }
    }
    if (newPassword !== undefined) await problems.check('newPassword', () => assertPasswordStrength(newPassword, 'newPassword'));
    problems.throwIfAny();
    if (currentPassword === undefined || newPassword === undefined) throw new ValidationError('both passwords are needed');
    const passwordHash = await hashSecret(newPassword);
    await this.tx.run(async (em) => {
      await this.repo.setPasswordHash(em, person.id, passwordHash, this.clock.now());
      await this.repo.deleteOtherSessions(em, person.id, currentSessionHash);
      await this.audit.record(
        scope,
        { action: 'password_changed', entityType: 'person', entityId: person.id, customerId: person.customerId },
        em,
      );
    });
  }

  async createApiKey(scope: Scope, name: string): Promise<{ key: ApiKeyEntity; secret: string }> {
    if (scope.personId === null) throw new UnauthenticatedError('no person');
    const secret = `${API_KEY_PREFIX}${randomToken()}`;
    const key = await this.repo.insertApiKey({
      personId: scope.personId,
      name,
      keyPrefix: secret.slice(0, 12),
      secretHash: sha256(secret),
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.audit.record(scope, { action: 'api_key_created', entityType: 'api_key', entityId: key.id });
    return { key, secret };
  }

  listApiKeys(scope: Scope): Promise<ApiKeyEntity[]> {
    return this.repo.listApiKeys(scope.personId ?? -1);
  }

  async revokeApiKey(scope: Scope, id: number): Promise<void> {
    const key = await this.repo.findApiKey(id, scope.personId ?? -1);
    if (!key) throw new NotFoundError('API key');
    if (!key.revokedAt) await this.repo.revokeApiKey(id, this.clock.now());
    await this.audit.record(scope, { action: 'api_key_revoked', entityType: 'api_key', entityId: id });
  }
}

/** The throttle bucket of a login name (names are unique ignoring case). */
const loginUserKey = (username: string): string => `login:user:${username.toLowerCase()}`;

export function assertPasswordStrength(password: unknown, field = 'password'): asserts password is string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > 200) {
    throw ValidationError.field(field, `must be ${MIN_PASSWORD_LENGTH} to 200 characters long`);
  }
}
