/**
 * Every problem of a request in one answer (issue #14): format errors and business checks (a name taken,
 * a plan not available, a field the type needs) are collected per field, then answered together.
 *
 * A use case takes the format problems found so far (`earlier`), runs every check it can on the fields that
 * are well-formed, adds what it finds, and calls `throwIfAny()` before it writes anything. The answer:
 *
 * - one problem: the error that found it, unchanged (a taken username stays a 409 `already_exists`);
 * - several with the same `code`: that code and its status (two taken values: 409 `already_exists`);
 * - several of different kinds: 400 `validation_failed`, each `details` entry with its own `code`.
 */
import { DomainError, type ErrorCode, type FieldError, ValidationError } from './errors';

interface Problem extends FieldError {
  code: ErrorCode;
  status: number;
  /** The error that reported it, rethrown as is when it is the only problem. */
  origin?: DomainError;
}

/** Several problems of one request, each naming its field and code; status and code as described above. */
export class FieldProblemsError extends DomainError {
  readonly status: number;
  constructor(problems: readonly Problem[], message?: string) {
    const codes = new Set(problems.map((p) => p.code));
    const same = codes.size === 1;
    super(
      message ?? problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      problems.map(({ field, message, code }) => ({ field, message, code })),
      same ? problems[0].code : 'validation_failed',
    );
    this.status = same ? problems[0].status : 400;
  }
}

export class FieldProblems {
  private readonly list: Problem[] = [];

  /** `earlier`: problems found before (the DTO's format errors), reported first. */
  constructor(earlier: readonly FieldError[] = []) {
    for (const e of earlier) this.add(e.field, e.message, e.code ?? 'validation_failed');
  }

  /** Records a problem; the first one per field is kept (the next ones are usually consequences). */
  add(field: string, message: string, code: ErrorCode = 'validation_failed', status = 400, origin?: DomainError): void {
    if (this.has(field)) return;
    this.list.push({ field, message, code, status, origin });
  }

  /**
   * Records what a DomainError says: its details, or, when it names no field, `message` (default: its
   * own) under `field`. Anything else is thrown on.
   */
  addError(err: unknown, field: string, message?: string): void {
    if (!(err instanceof DomainError)) throw err;
    const details = err.details.length ? err.details : [{ field, message: message ?? err.message }];
    for (const d of details) this.add(d.field, d.message, d.code ?? err.code, err.status, details.length === 1 ? err : undefined);
  }

  /** Runs one check; a DomainError it throws is recorded (see addError), so the next checks run too. */
  async check<T>(field: string, run: () => Promise<T> | T, message?: string): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      this.addError(err, field, message);
      return undefined;
    }
  }

  /** Has this field (or, for "affiliate", any of its sub-fields) a problem already? Then its checks are moot. */
  has(field: string): boolean {
    return this.list.some((p) => p.field === field || p.field.startsWith(`${field}.`) || field.startsWith(`${p.field}.`));
  }

  get any(): boolean {
    return this.list.length > 0;
  }

  get problems(): readonly FieldError[] {
    return this.list.map(({ field, message, code }) => ({ field, message, code }));
  }

  /** Throws the answer for everything collected (see the top of this file); nothing collected: returns. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    if (this.list.length === 1) {
      const only = this.list[0];
      // The error as its thrower made it; one that named no field gets the field as its detail.
      if (only.origin) throw only.origin.details.length ? only.origin : new FieldProblemsError([only], only.origin.message);
      if (only.code === 'validation_failed') throw ValidationError.field(only.field, only.message);
    }
    throw new FieldProblemsError(this.list);
  }
}
