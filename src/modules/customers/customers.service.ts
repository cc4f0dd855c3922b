import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { BalanceDirectory } from '../../shared/balance-directory';
import { Clock } from '../../shared/clock';
import {
  BusinessRuleError,
  ConflictError,
  type ErrorCode,
  type FieldError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { Dec, Money } from '../../shared/money';
import { isInSubtree, type Scope } from '../../shared/scope';
import { timeZoneNames } from '../../shared/validation';
import { IdentityApi } from '../identity/identity.api';
import { hashSecret, randomDigits, randomPassword } from '../../shared/secrets';
import { OutboxService } from '../notifications/notifications.api';
import { RatePlansApi, type PlanRow } from '../rate-plans/rate-plans.api';
import { SystemApi, type SystemSettings } from '../system/system.api';
import { TaxesApi } from '../taxes/taxes.api';
import { TelephonyApi } from '../telephony/telephony.api';
import { CustomersRepository, type NewParent } from './customers.repository';
import { CUSTOMER_DEFAULTS } from './customer-defaults';
import { conflictFromUniqueViolation } from './customer-errors';
import { CustomerViews, type CreatedCustomerRows } from './customer-views';
import { CreateCustomerDto, CustomerFieldsDto, UpdateCustomerDto, USERNAME_PATTERN } from './dto/customer.dto';
import { CreatedCustomerView, CustomerView } from './dto/customer.view';
import { CustomerEntity, UNLIMITED } from './entities/customer.entity';

export type { CreatedCustomerView, CustomerFormOptions, CustomerView } from './dto/customer.view';
export type { CreateCustomerDto, UpdateCustomerDto } from './dto/customer.dto';
export type { ListCustomersQuery } from './dto/list-customers.query';

/** Fields a customer's own administrators may change on their own customer; the rest is the parent's to set. */
const SELF_EDITABLE = new Set<keyof UpdateCustomerDto>([
  'name',
  'personName',
  'description',
  'email',
  'timezone',
  'billingAddress',
  'taxReference',
  // A reseller (or the system owner) brands the login-details emails of its customers itself.
  'logoUrl',
  'directory',
  'purgeVoicemail',
  'maxVoicemailsPerFolder',
]);
/** What the system owner may not change on itself (it has no parent to set them and must stay a reseller). */
const ROOT_FIXED = new Set<keyof UpdateCustomerDto>(['reseller', 'lockedWeb', 'lockedCalls', 'ratePlanId', 'affiliate']);

const PATH_MAX = 700;
const PIN_LENGTH = 6;
const SIP_SECRET_LENGTH = 20;

/** A change of one API field: the columns it writes. */
interface FieldChange {
  field: string;
  columns: Partial<CustomerEntity>;
  /** Only for the field taxIds (kept in customer_taxes, not in a column). */
  taxIds?: number[];
}

interface ResolveContext {
  /** Read on first use: most requests set neither a prefix nor a region. */
  settings: () => Promise<SystemSettings>;
  /** Who owns the plans, taxes, dial plans the customer may use: its parent (the system owner: itself). */
  owner: Pick<CustomerEntity, 'id' | 'parentId' | 'path'>;
  /** The row being changed (update) or null (create). */
  existing: CustomerEntity | null;
  existingTaxIds: number[];
}

const emptyToNull = (v: string | null | undefined): string | null => (v === undefined || v === null || v === '' ? null : v);

/** "europe/london" → "Europe/London"; names the runtime does not list (e.g. "EST") are kept as given. */
function canonicalTimeZone(zone: string): string {
  const lower = zone.toLowerCase();
  return timeZoneNames().find((z) => z.toLowerCase() === lower) ?? zone;
}

/** Money >= 0 from validated input; checked again so a caller that skipped validation gets a 400, not a 500. */
function moneyField(field: string, text: string, max?: string): Money {
  const m = Money.parse(text);
  if (!m || m.isNegative() || (max !== undefined && m.gt(Money.of(max)))) {
    throw ValidationError.field(field, `must be a decimal string from 0${max ? ` to ${max}` : ''} with up to 6 decimal places`);
  }
  return m;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Money && b instanceof Money) return a.equals(b);
  if (a instanceof Dec && b instanceof Dec) return a.equals(b);
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (a === null || a === undefined || b === null || b === undefined) return false;
  if (typeof a === 'object' || typeof b === 'object') return String(a) === String(b);
  // BIGINT columns come back as numbers (SQLite) or strings (MariaDB).
  return String(a) === String(b);
}

/** What a create wrote (and read on the way), enough to answer without reading it back. */
interface CreatedRows extends CreatedCustomerRows {
  id: number;
  personId: number;
  sipAccountId?: number;
  mailboxId?: number;
  numberId?: number;
}

/**
 * The customer tree and the seed page's fields: create (normal and residential), read, list, change,
 * soft delete and undelete (views: customer-views.ts; form options: customer-form-options.ts). Every method takes the caller's
 * scope first; a customer outside the caller's subtree answers 404.
 */
@Injectable()
export class CustomersService {
  constructor(
    private readonly repo: CustomersRepository,
    private readonly tx: TransactionRunner,
    private readonly ratePlans: RatePlansApi,
    private readonly identity: IdentityApi,
    private readonly telephony: TelephonyApi,
    private readonly system: SystemApi,
    private readonly taxes: TaxesApi,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly customerViews: CustomerViews,
    private readonly balances: BalanceDirectory,
  ) {}

  // ---------------------------------------------------------------- create

  /**
   * Creates a customer. `earlier`: the format problems of the request (validatePartial), whose fields `dto`
   * leaves out; every check that can run on the rest runs, and all problems are answered at once (issue #14)
   * before anything is written.
   */
  async create(scope: Scope, dto: CreateCustomerDto, earlier: readonly FieldError[] = []): Promise<CreatedCustomerView> {
    const problems = new FieldProblems(earlier);
    const residential = dto.type === 'residential';
    this.checkCreateShape(dto, problems);
    const usernameField = residential ? 'number' : dto.username !== undefined ? 'username' : 'email';
    const username = problems.has(usernameField) || problems.has('type') ? undefined : residential ? dto.number : (dto.username ?? dto.email);
    if (username !== undefined && !USERNAME_PATTERN.test(username)) {
      problems.add('username', 'the email cannot be used as login name (over 100 characters or with spaces); give a username');
    }
    // Slow hashes before the transaction, which (on SQLite) holds up every other writer; none for a request
    // that is refused anyway.
    const passwordHash = dto.password !== undefined && !problems.any ? await hashSecret(dto.password) : null;
    const sipSecret = residential ? randomPassword(SIP_SECRET_LENGTH) : undefined;
    const mailboxPin = residential ? randomDigits(PIN_LENGTH) : undefined;
    const pinHash = mailboxPin !== undefined && !problems.any ? await hashSecret(mailboxPin) : null;

    let made: CreatedRows;
    try {
      made = await this.tx.run(async (em) => {
        const now = this.clock.now();
        const loaded = await this.loadParentForCreate(em, scope, dto, username, problems);
        if (!loaded) {
          // No parent to check the rest against: what the request says about it is all there is to answer.
          problems.throwIfAny();
          throw new NotFoundError('customer');
        }
        const { parent, accountTaken, usernameTaken, defaultTaxIds, plan } = loaded;
        const ctx: ResolveContext = { settings: this.settingsLoader(em), owner: parent, existing: null, existingTaxIds: [] };
        const changes = await this.resolveFields(em, ctx, dto, problems);
        const row: Partial<CustomerEntity> = Object.assign(
          {
            parentId: parent.id,
            path: '/pending/',
            depth: parent.depth + 1,
            type: dto.type,
            name: residential ? dto.number! : dto.name!,
            description: null,
            email: dto.email!,
            accountNumber: null,
            reseller: false,
            directory: false,
            prefix: null,
            lockedWeb: false,
            lockedCalls: false,
            lockReason: null,
            dailySpendLimitMicros: null,
            maxConcurrentCalls: null,
            purgeVoicemail: false,
            maxVoicemailsPerFolder: null,
            externalCallerId: null,
            regionId: null,
            timezone: parent.timezone,
            dialPlanId: null,
            ratePlanId: plan?.id ?? 0,
            billingType: CUSTOMER_DEFAULTS.billingType,
            billingReference: null,
            taxReference: null,
            logoUrl: null,
            paymentType: CUSTOMER_DEFAULTS.paymentType,
            invoiceDueDays: null,
            sendInvoices: null,
            invoiceFormat: null,
            invoiceDetail: null,
            currency: plan?.currency ?? '',
            minimumContractMonths: null,
            creditLimit: Money.of(CUSTOMER_DEFAULTS.creditLimit),
            lowBalanceThreshold: Money.of(CUSTOMER_DEFAULTS.lowBalanceThreshold),
            autoTopUp: false,
            addressLine1: null,
            addressLine2: null,
            addressLine3: null,
            addressCity: null,
            addressState: null,
            addressPostcode: null,
            addressCountry: null,
            affiliateCustomerId: null,
            affiliatePercentage: null,
            affiliateBasis: null,
            deletedAt: null,
            deletedAccountNumber: null,
            deletedPrefix: null,
            createdAt: now,
            updatedAt: now,
          } satisfies Partial<CustomerEntity>,
          ...changes.filter((c) => c.field !== 'taxIds').map((c) => c.columns),
        );
        const taken = (field: string, message: string) => problems.add(field, message, 'already_exists', 409, ConflictError.field(field, message));
        if (row.accountNumber && accountTaken) taken('accountNumber', "is already used by another of the parent's customers");
        if (row.prefix && (await this.repo.prefixTaken(em, row.prefix))) taken('prefix', 'is already used by another customer');
        let numberId: number | undefined;
        if (residential && username !== undefined) {
          const number = await this.telephony.findFreeNumber(em, parent.id, username);
          if (!number) taken('number', "is not a free number of the parent's inventory");
          numberId = number?.id;
          if (usernameTaken) taken('number', 'is already a login name');
          if (await this.telephony.sipUsernameTaken(em, username)) taken('number', 'is already a SIP account');
          if (await this.telephony.mailboxTaken(em, username)) taken('number', 'is already a mailbox');
        } else if (usernameTaken) {
          if (dto.username === undefined) taken('username', 'the email is already a login name; give a username');
          else taken('username', 'is already taken');
        }
        // Nothing is written while anything is wrong.
        problems.throwIfAny();
        if (!plan || username === undefined) throw new Error('create: checks passed without a plan or login name');

        const id = await this.repo.insertCustomer(em, row);
        const path = `${parent.path}${id}/`;
        if (path.length > PATH_MAX) throw new BusinessRuleError('the customer tree is too deep here');
        await this.repo.setPath(em, id, path);
        const taxIds = changes.find((c) => c.field === 'taxIds')?.taxIds ?? defaultTaxIds;
        await this.repo.insertTaxes(em, id, taxIds);

        // Claim the number first: a concurrent creation with the same number waits here (MariaDB) and loses.
        if (residential && !(await this.telephony.claimNumber(em, numberId!, id))) {
          throw ConflictError.field('number', "is not a free number of the parent's inventory");
        }
        const personId = await this.identity.createPerson(em, {
          customerId: id,
          username,
          displayName: residential ? dto.personName! : dto.name!,
          email: dto.email!,
          role: 'administrator',
          passwordHash,
          at: now,
        });
        let sipAccountId: number | undefined;
        let mailboxId: number | undefined;
        if (residential) {
          sipAccountId = await this.telephony.createLine(em, {
            customerId: id,
            username,
            secret: sipSecret!,
            displayName: dto.personName!,
            at: now,
          });
          mailboxId = await this.telephony.createMailbox(em, {
            customerId: id,
            mailbox: username,
            pinHash: pinHash!,
            email: dto.email!,
            at: now,
          });
          await this.telephony.routeNumberToLine(em, numberId!, sipAccountId);
        }

        // The login details: a password given here is never emailed; otherwise a one-time link.
        const link = passwordHash === null ? await this.identity.issueSetPasswordLink(em, personId) : null;
        await this.outbox.enqueue(em, {
          customerId: id,
          to: dto.email!,
          subject: 'Your login details',
          template: 'login-details',
          context: {
            customerName: row.name,
            username,
            setPasswordUrl: link?.url ?? null,
            expiresAt: link?.expiresAt.toISOString() ?? null,
            passwordWasSet: passwordHash !== null,
            personName: residential ? dto.personName! : dto.name!,
            issuerName: parent.name,
            issuerLogoUrl: parent.logoUrl,
          },
        });
        await this.audit.record(
          scope,
          {
            action: 'customer_created',
            entityType: 'customer',
            entityId: id,
            customerId: id,
            details: {
              type: dto.type,
              parentId: parent.id,
              fields: Object.keys(dto).filter((k) => (dto as unknown as Record<string, unknown>)[k] !== undefined && k !== 'password'),
              passwordSet: passwordHash !== null,
              ...(residential ? { numberId, sipAccountId, mailboxId } : {}),
            },
          },
          em,
        );
        const customer = { ...row, id, path } as CustomerEntity;
        const displayName = residential ? dto.personName! : dto.name!;
        return { id, personId, sipAccountId, mailboxId, numberId, customer, parent, plan, taxIds, username, displayName };
      });
    } catch (err) {
      throw conflictFromUniqueViolation(err, residential) ?? err;
    }
    const view = await this.customerViews.createdView(made);
    const answer: CreatedCustomerView = { ...view, personId: made.personId };
    if (residential)
      Object.assign(answer, { sipAccountId: made.sipAccountId, mailboxId: made.mailboxId, numberId: made.numberId, sipSecret, mailboxPin });
    return answer;
  }

  /** What the type needs and allows (a field with a format problem already is not judged again). */
  private checkCreateShape(dto: CreateCustomerDto, problems: FieldProblems): void {
    const add = (field: string, message: string) => {
      if (!problems.has(field)) problems.add(field, message);
    };
    if (dto.type === undefined) return; // the type itself is wrong: nothing to judge the others by
    if (dto.type === 'residential') {
      if (dto.number === undefined) add('number', 'is required for residential customers');
      if (dto.personName === undefined) add('personName', 'is required for residential customers');
      if (dto.name !== undefined && dto.number !== undefined && dto.name !== dto.number)
        add('name', 'residential customers are named after their number');
      if (dto.username !== undefined && dto.number !== undefined && dto.username !== dto.number)
        add('username', 'residential customers log in with their number');
    } else {
      if (dto.name === undefined) add('name', 'is required for normal customers');
      if (dto.number !== undefined) add('number', 'is only for residential customers');
      if (dto.personName !== undefined) add('personName', 'is only for residential customers');
    }
  }

  /**
   * The parent, read once and locked so that it cannot stop being a reseller, or be deleted, while a child
   * is being added (a shared lock: creations under the same parent do not wait for each other). The same
   * statement tells whether the account number and login name are taken, and reads the rate plan if the
   * parent may assign it. Problems go to `problems`: a parent out of scope (404, and then null: nothing else
   * can be checked), one that is not a reseller (422), a plan it may not assign (404, as
   * RatePlansApi.findAssignablePlan answers).
   */
  private async loadParentForCreate(
    em: EntityManager,
    scope: Scope,
    dto: CreateCustomerDto,
    username: string | undefined,
    problems: FieldProblems,
  ): Promise<{ parent: NewParent; accountTaken: boolean; usernameTaken: boolean; defaultTaxIds: number[]; plan: PlanRow | null } | null> {
    if (problems.has('parentId')) return null;
    const parentId = dto.parentId ?? scope.customerId;
    if (!Number.isSafeInteger(parentId) || parentId < 1) {
      problems.addError(new NotFoundError('customer'), 'parentId');
      return null;
    }
    const ratePlanId = dto.ratePlanId;
    const found = await this.repo.parentForCreate(
      em,
      parentId,
      // '' matches no login name and no account number: the probes of fields with problems answer "free".
      { accountNumber: emptyToNull(dto.accountNumber), username: username ?? '' },
      {
        // 0: no plan has it, so the plan is reported missing below (unless the field has a problem already)
        id: ratePlanId !== undefined && Number.isSafeInteger(ratePlanId) && ratePlanId > 0 ? ratePlanId : 0,
        assignable: this.ratePlans.assignableCondition('rp', 'c'),
      },
      {
        usernameTakenSql: this.identity.usernameTakenSql(em),
        defaultTaxIdsSql: this.taxes.defaultTaxIdsSql('c'),
        plan: this.ratePlans.assignablePlanSql(em),
      },
    );
    const parent = found.parent;
    if (!parent || parent.deleted || !isInSubtree(scope.customerPath, parent.path)) {
      problems.addError(new NotFoundError('customer'), 'parentId', 'is not a customer you can add customers under');
      return null;
    }
    if (!parent.reseller && parent.parentId !== null) {
      problems.addError(
        new BusinessRuleError('customers can only be added under a reseller or the system owner'),
        'parentId',
        'is not a reseller: customers can only be added under a reseller or the system owner',
      );
    }
    // Missing, deleted, or not the parent's to assign.
    if (!found.plan && !problems.has('ratePlanId')) {
      problems.addError(new NotFoundError('rate plan'), 'ratePlanId', 'is not a rate plan this parent can assign');
    }
    return { ...found, parent, usernameTaken: username !== undefined && found.usernameTaken };
  }

  /**
   * Validates the fields present in `dto` against the database (references, settings) and turns them into
   * column values, grouped per API field. Reference checks are skipped for unchanged values, so a form that
   * sends everything back does not fail on, say, a prefix entered before prefixes were switched off.
   * A field whose check fails goes to `problems` (and is not in the result); the other fields are still checked.
   */
  private async resolveFields(
    em: EntityManager,
    ctx: ResolveContext,
    dto: CustomerFieldsDto,
    problems: FieldProblems,
  ): Promise<FieldChange[]> {
    const out: FieldChange[] = [];
    const ex = ctx.existing;
    const add = (field: string, columns: Partial<CustomerEntity>) => out.push({ field, columns });
    /** Runs a field's checks and adds its columns; a refusal is recorded instead. */
    const checked = async (field: string, check: () => Promise<Partial<CustomerEntity> | void>, message?: string): Promise<void> => {
      const columns = await problems.check(field, check, message);
      if (columns) add(field, columns);
    };

    if (dto.name !== undefined) add('name', { name: dto.name });
    if (dto.description !== undefined) add('description', { description: emptyToNull(dto.description) });
    if (dto.email !== undefined) add('email', { email: dto.email });
    if (dto.accountNumber !== undefined) add('accountNumber', { accountNumber: emptyToNull(dto.accountNumber) });
    for (const flag of ['reseller', 'directory', 'lockedWeb', 'lockedCalls', 'purgeVoicemail', 'autoTopUp'] as const) {
      if (dto[flag] !== undefined) add(flag, { [flag]: dto[flag] });
    }
    if (dto.prefix !== undefined) {
      const prefix = emptyToNull(dto.prefix);
      await checked('prefix', async () => {
        if (prefix !== null && prefix !== ex?.prefix && !(await ctx.settings()).customerPrefixes) {
          throw ValidationError.field('prefix', 'customer prefixes are not enabled in the system settings');
        }
        return { prefix };
      });
    }
    if (dto.dailySpendLimit !== undefined) {
      const v = dto.dailySpendLimit;
      await checked('dailySpendLimit', async () => ({
        dailySpendLimitMicros: v === null ? null : v === 'unlimited' ? String(UNLIMITED) : moneyField('dailySpendLimit', v).toMicros(),
      }));
    }
    if (dto.maxConcurrentCalls !== undefined) {
      const v = dto.maxConcurrentCalls;
      add('maxConcurrentCalls', { maxConcurrentCalls: v === null ? null : v === 'unlimited' ? UNLIMITED : v });
    }
    if (dto.maxVoicemailsPerFolder !== undefined) add('maxVoicemailsPerFolder', { maxVoicemailsPerFolder: dto.maxVoicemailsPerFolder });
    if (dto.externalCallerId !== undefined) add('externalCallerId', { externalCallerId: dto.externalCallerId });
    if (dto.regionId !== undefined) {
      const regionId = dto.regionId;
      await checked(
        'regionId',
        async () => {
          if (regionId !== null && regionId !== ex?.regionId) {
            if (!(await ctx.settings()).regions) throw ValidationError.field('regionId', 'regions are not enabled in the system settings');
            await this.system.findRegion(em, regionId);
          }
          return { regionId };
        },
        'is not a region of the system',
      );
    }
    if (dto.timezone !== undefined) add('timezone', { timezone: canonicalTimeZone(dto.timezone) });
    if (dto.dialPlanId !== undefined) {
      const dialPlanId = dto.dialPlanId;
      await checked(
        'dialPlanId',
        async () => {
          if (dialPlanId !== null && dialPlanId !== ex?.dialPlanId) await this.system.findUsableDialPlan(em, ctx.owner.path, dialPlanId);
          return { dialPlanId };
        },
        'is not a dial plan this customer can use',
      );
    }
    if (dto.ratePlanId !== undefined) {
      const ratePlanId = dto.ratePlanId;
      if (ex && ratePlanId !== ex.ratePlanId && ex.parentId === null) throw new ForbiddenError('the system owner has no rate plan');
      await checked(
        'ratePlanId',
        async () => {
          if (ex && ratePlanId !== ex.ratePlanId) await this.ratePlans.findAssignablePlan(em, ctx.owner, ratePlanId);
          return { ratePlanId };
        },
        'is not a rate plan this parent can assign',
      );
    }
    if (dto.billingType !== undefined) add('billingType', { billingType: dto.billingType });
    if (dto.billingReference !== undefined) add('billingReference', { billingReference: emptyToNull(dto.billingReference) });
    if (dto.taxReference !== undefined) add('taxReference', { taxReference: emptyToNull(dto.taxReference) });
    if (dto.logoUrl !== undefined) add('logoUrl', { logoUrl: emptyToNull(dto.logoUrl) });
    if (dto.paymentType !== undefined) add('paymentType', { paymentType: dto.paymentType });
    if (dto.invoiceDueDays !== undefined) add('invoiceDueDays', { invoiceDueDays: dto.invoiceDueDays });
    if (dto.sendInvoices !== undefined) add('sendInvoices', { sendInvoices: dto.sendInvoices });
    if (dto.invoiceFormat !== undefined) add('invoiceFormat', { invoiceFormat: dto.invoiceFormat });
    if (dto.invoiceDetail !== undefined) add('invoiceDetail', { invoiceDetail: dto.invoiceDetail });
    if (dto.currency !== undefined) add('currency', { currency: dto.currency });
    if (dto.minimumContractMonths !== undefined) add('minimumContractMonths', { minimumContractMonths: dto.minimumContractMonths });
    const creditLimit = dto.creditLimit;
    if (creditLimit !== undefined) await checked('creditLimit', async () => ({ creditLimit: moneyField('creditLimit', creditLimit) }));
    const threshold = dto.lowBalanceThreshold;
    if (threshold !== undefined)
      await checked('lowBalanceThreshold', async () => ({ lowBalanceThreshold: moneyField('lowBalanceThreshold', threshold) }));
    if (dto.taxIds !== undefined) {
      const taxIds = dto.taxIds;
      const added = taxIds.filter((id) => !ctx.existingTaxIds.includes(id));
      const ok = await problems.check(
        'taxIds',
        async () => {
          if (added.length && (await this.taxes.usableTaxes(em, ctx.owner, added)).length !== added.length) throw new NotFoundError('tax');
          return true;
        },
        'names a tax this customer cannot be given',
      );
      if (ok) out.push({ field: 'taxIds', columns: {}, taxIds: [...taxIds].sort((a, b) => a - b) });
    }
    if (dto.billingAddress !== undefined) {
      const a = dto.billingAddress ?? {};
      add('billingAddress', {
        addressLine1: emptyToNull(a.line1),
        addressLine2: emptyToNull(a.line2),
        addressLine3: emptyToNull(a.line3),
        addressCity: emptyToNull(a.city),
        addressState: emptyToNull(a.state),
        addressPostcode: emptyToNull(a.postcode),
        addressCountry: emptyToNull(a.country)?.toUpperCase() ?? null,
      });
    }
    if (dto.affiliate !== undefined) {
      const a = dto.affiliate;
      const columns = await problems.check(
        'affiliate.customerId',
        async () => {
          if (a !== null && a.customerId !== ex?.affiliateCustomerId) await this.checkAffiliate(em, ctx, a.customerId);
          return {
            affiliateCustomerId: a?.customerId ?? null,
            affiliatePercentage: a ? moneyField('affiliate.percentage', a.percentage, '100').toDecimal() : null,
            affiliateBasis: a?.basis ?? null,
          };
        },
        'is not a customer of the same parent',
      );
      if (columns) add('affiliate', columns);
    }
    return out;
  }

  /** An affiliate is a live customer with the same parent, not the customer itself. */
  private async checkAffiliate(em: EntityManager, ctx: ResolveContext, affiliateId: number): Promise<void> {
    if (ctx.existing && affiliateId === ctx.existing.id)
      throw ValidationError.field('affiliate.customerId', 'a customer cannot be its own affiliate');
    const parentId = ctx.existing ? ctx.existing.parentId : ctx.owner.id;
    if (parentId === null) throw ValidationError.field('affiliate.customerId', 'the system owner has no affiliates');
    // Locked so that the affiliate cannot be deleted while it is being named.
    const affiliate = await this.repo.lockById(em, affiliateId);
    const parent = await this.repo.findById(em, parentId);
    // Another branch (or a customer that does not exist) is invisible: 404.
    if (!affiliate || affiliate.deletedAt || !parent || !affiliate.path.startsWith(parent.path))
      throw new NotFoundError('affiliate customer');
    if (affiliate.parentId !== parentId) throw ValidationError.field('affiliate.customerId', 'must be a customer with the same parent');
  }

  // ---------------------------------------------------------------- read

  async get(scope: Scope, id: number): Promise<CustomerView> {
    const em = this.repo.reader;
    const customer = await this.repo.findInScope(em, scope, id, { includeDeleted: true });
    return (await this.customerViews.views(em, [customer]))[0];
  }

  /** The system settings row, read once per unit of work and only if needed. */
  private settingsLoader(em: EntityManager): () => Promise<SystemSettings> {
    let loaded: Promise<SystemSettings> | null = null;
    return () => (loaded ??= this.system.settings(em));
  }

  // ---------------------------------------------------------------- update

  /** Changes a customer; `earlier` as for create: every problem of the request is answered at once. */
  async update(scope: Scope, id: number, dto: UpdateCustomerDto, earlier: readonly FieldError[] = []): Promise<CustomerView> {
    const present = (Object.keys(dto) as (keyof UpdateCustomerDto)[]).filter((k) => dto[k] !== undefined);
    const problems = new FieldProblems(earlier);
    await this.tx
      .run(async (em) => {
        const existing = await this.lockFirst(em, scope, id);
        if (existing.deletedAt) throw new ConflictError('the customer is deleted; undelete it first');
        if (dto.parentId !== undefined && dto.parentId !== existing.parentId) {
          problems.add('parentId', 'cannot be changed: a customer stays under the parent that created it');
        }
        if (existing.id === scope.personCustomerId) {
          const fixed =
            existing.parentId === null
              ? present.filter((k) => ROOT_FIXED.has(k))
              : present.filter((k) => k !== 'parentId' && !SELF_EDITABLE.has(k));
          if (fixed.length)
            throw new ForbiddenError(
              `your own customer's ${fixed.join(', ')} can only be changed by ${existing.parentId === null ? 'nobody' : 'your parent'}`,
            );
        }
        if (existing.type === 'residential') {
          if (dto.name !== undefined && dto.name !== existing.name) problems.add('name', 'residential customers are named after their number');
        } else if (dto.personName !== undefined) {
          problems.add('personName', 'is only for residential customers');
        }
        const owner = existing.parentId === null ? existing : (await this.repo.findById(em, existing.parentId))!;
        const existingTaxIds = (await this.repo.taxIdsOf(em, [id])).get(id) ?? [];
        const resolved = await this.resolveFields(
          em,
          { settings: this.settingsLoader(em), owner, existing, existingTaxIds },
          dto,
          problems,
        );

        const changed: string[] = [];
        const columns: Partial<CustomerEntity> = {};
        let newTaxIds: number[] | null = null;
        for (const change of resolved) {
          if (change.field === 'taxIds') {
            const next = change.taxIds ?? [];
            if (next.join(',') !== [...existingTaxIds].sort((a, b) => a - b).join(',')) {
              newTaxIds = next;
              changed.push('taxIds');
            }
            continue;
          }
          const differs = Object.entries(change.columns).some(([k, v]) => !sameValue(v, existing[k as keyof CustomerEntity]));
          if (differs) {
            Object.assign(columns, change.columns);
            changed.push(change.field);
          }
        }

        if (columns.reseller === false && existing.parentId === null) throw new ForbiddenError('the system owner is always a reseller');
        const conflict = (field: string, message: string, code: ErrorCode = 'already_exists') =>
          problems.add(field, message, code, 409, ConflictError.field(field, message, code));
        if (columns.reseller === false && (await this.repo.countLiveChildren(em, id)) > 0) {
          conflict('reseller', 'cannot be turned off while the customer has live sub-customers', 'in_use');
        }
        // Read with a lock: the latest balance, and no posting can change it before this commits.
        if (columns.currency !== undefined && !(await this.balances.balanceOf(em, id, { lock: true })).isZero()) {
          conflict('currency', 'can only be changed while the balance is 0.00', 'conflict');
        }
        if (columns.accountNumber && (await this.repo.accountNumberTaken(em, existing.parentId, columns.accountNumber, id))) {
          conflict('accountNumber', "is already used by another of the parent's customers");
        }
        if (columns.prefix && (await this.repo.prefixTaken(em, columns.prefix, id))) conflict('prefix', 'is already used by another customer');
        // Nothing is written while anything is wrong.
        problems.throwIfAny();
        if (newTaxIds) await this.repo.replaceTaxes(em, id, newTaxIds);
        // Unlocking calls by hand clears the reason an automatic lock (e.g. the daily limit) left.
        if (columns.lockedCalls === false) columns.lockReason = null;

        const now = this.clock.now();
        if (dto.personName !== undefined && existing.type === 'residential') {
          const admin = (await this.identity.firstAdministrators(em, [id])).get(id);
          if (admin && admin.displayName !== dto.personName) {
            await this.identity.setDisplayName(em, admin.id, dto.personName, now);
            changed.push('personName');
          }
        }
        if (Object.keys(columns).length) await this.repo.updateCustomer(em, existing, { ...columns, updatedAt: now });
        if (changed.length) {
          await this.audit.record(
            scope,
            { action: 'customer_updated', entityType: 'customer', entityId: id, customerId: id, details: { fields: changed } },
            em,
          );
        }
      })
      .catch((err: unknown) => {
        throw conflictFromUniqueViolation(err, false) ?? err;
      });
    return this.get(scope, id);
  }

  // ---------------------------------------------------------------- delete / undelete

  async remove(scope: Scope, id: number): Promise<void> {
    await this.tx.run(async (em) => {
      const c = await this.lockFirst(em, scope, id);
      if (c.parentId === null) throw new ForbiddenError('the system owner cannot be deleted');
      if (c.id === scope.personCustomerId) throw new ConflictError('you cannot delete your own customer');
      if (c.deletedAt) throw new ConflictError('the customer is already deleted');
      if ((await this.repo.countLiveChildren(em, id)) > 0)
        throw new ConflictError('the customer has live sub-customers; delete them first', [], 'in_use');
      if ((await this.repo.countLiveAffiliateReferrers(em, id)) > 0) {
        throw new ConflictError('the customer is the affiliate of another customer; remove it as affiliate first', [], 'in_use');
      }
      const now = this.clock.now();
      await this.repo.updateCustomer(em, c, {
        deletedAt: now,
        updatedAt: now,
        // Frees them for reuse while deleted; undelete puts them back if they are still free.
        accountNumber: null,
        deletedAccountNumber: c.accountNumber,
        prefix: null,
        deletedPrefix: c.prefix,
      });
      await this.audit.record(scope, { action: 'customer_deleted', entityType: 'customer', entityId: id, customerId: id }, em);
    });
  }

  /**
   * The customer's row, locked (FOR UPDATE on MariaDB) as the transaction's first read, then the scope
   * check (404). First on purpose: InnoDB takes the snapshot of plain reads at the first one, so reads
   * after the lock (live children, taxes) see everything committed by those that held the row before:
   * a child created under the customer holds its shared lock until it commits (issue #13: a delete whose
   * scope check came first counted children on an older snapshot and left live children of a deleted
   * customer; parallel PATCHes need the latest row too).
   */
  private async lockFirst(em: EntityManager, scope: Scope, id: number): Promise<CustomerEntity> {
    const locked = Number.isSafeInteger(id) && id > 0 ? await this.repo.lockById(em, id) : null;
    await this.repo.findInScope(em, scope, id, { includeDeleted: true });
    return locked!;
  }

  async undelete(scope: Scope, id: number): Promise<CustomerView> {
    await this.tx
      .run(async (em) => {
        const found = await this.repo.findInScope(em, scope, id, { includeDeleted: true });
        // Parent first, then the customer: the same order as create (parent) and delete (itself).
        const parent = found.parentId === null ? null : await this.repo.lockById(em, found.parentId);
        const c = (await this.repo.lockById(em, id))!;
        if (!c.deletedAt) throw new ConflictError('the customer is not deleted');
        if (!parent || parent.deletedAt) throw new ConflictError('the parent customer is deleted; undelete it first');
        if (c.deletedAccountNumber && (await this.repo.accountNumberTaken(em, c.parentId, c.deletedAccountNumber, id))) {
          throw ConflictError.field('accountNumber', `"${c.deletedAccountNumber}" was given to another customer meanwhile`);
        }
        if (c.deletedPrefix && (await this.repo.prefixTaken(em, c.deletedPrefix, id))) {
          throw ConflictError.field('prefix', `"${c.deletedPrefix}" was given to another customer meanwhile`);
        }
        const now = this.clock.now();
        await this.repo.updateCustomer(em, c, {
          deletedAt: null,
          updatedAt: now,
          accountNumber: c.deletedAccountNumber,
          deletedAccountNumber: null,
          prefix: c.deletedPrefix,
          deletedPrefix: null,
        });
        await this.audit.record(scope, { action: 'customer_undeleted', entityType: 'customer', entityId: id, customerId: id }, em);
      })
      .catch((err: unknown) => {
        throw conflictFromUniqueViolation(err, false) ?? err;
      });
    return this.get(scope, id);
  }
}
