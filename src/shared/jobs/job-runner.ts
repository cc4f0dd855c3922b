import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource, EntityManager } from 'typeorm';
import { TransactionRunner } from '../../database/transaction-runner';
import { Clock } from '../clock';
import { JobLeaseEntity } from './job-lease.entity';
import { isUniqueViolation } from '../../database/dialect';
import { errorText, heartbeatEveryMs, JobDefinition, leaseUntil, validateJobDefinition } from './lease';

export type { JobContext, JobDefinition } from './lease';

/** `ran`: this instance held the lease and the job succeeded; `failed`: it threw; `skipped`: not run here. */
export type JobOutcome = 'ran' | 'failed' | 'skipped';

interface RegisteredJob {
  def: JobDefinition;
  /** Made at registration so that a bad expression fails there; started with the application. */
  cron: CronJob | null;
}

/**
 * Background jobs that several instances can run: on every tick each instance tries to claim the job's
 * row in `job_leases` with a conditional UPDATE, and only the one whose claim changed the row runs the
 * job, heartbeating the lease while it runs and releasing it at the end. An instance that dies keeps the
 * job only until its lease runs out; then the next tick of another instance takes over. Lease times come
 * from the Clock and are compared as parameters (never the database's NOW()), so the test clock moves
 * them too.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Jobs');
  /** This instance's id in `job_leases.holder`: readable for operators, random so restarts never match. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  private readonly jobs = new Map<string, RegisteredJob>();
  /** Runs in progress in this instance, so that a tick never overlaps this instance's own run. */
  private readonly running = new Map<string, { done: Promise<JobOutcome>; abort: AbortController }>();
  private started = false;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  /**
   * Adds a job. Its timer starts with the application (at once when registered later) and stops when the
   * application closes; `runNow` works from registration on.
   */
  register(def: JobDefinition): void {
    validateJobDefinition(def);
    if (this.jobs.has(def.name)) throw new Error(`job ${JSON.stringify(def.name)} is already registered`);
    const cron =
      def.cron === undefined
        ? null
        : CronJob.from({ cronTime: def.cron, onTick: () => this.tick(def.name), start: false, timeZone: def.timeZone ?? 'UTC' });
    this.jobs.set(def.name, { def, cron });
    if (this.started && !this.stopping) this.schedule(def.name);
  }

  /** Runs a job now if this instance can claim its lease (same rules as a tick); resolves when it ended. */
  runNow(name: string): Promise<JobOutcome> {
    if (!this.jobs.has(name)) throw new Error(`no job ${JSON.stringify(name)} is registered`);
    return this.execute(name);
  }

  /** The jobs' lease rows, for operators and tests. */
  leases(): Promise<JobLeaseEntity[]> {
    return this.dataSource.getRepository(JobLeaseEntity).find({ order: { name: 'ASC' } });
  }

  onApplicationBootstrap(): void {
    this.started = true;
    for (const name of this.jobs.keys()) this.schedule(name);
  }

  /** Stops the timers, asks running jobs to stop (ctx.signal) and waits for them to release their leases. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const name of this.jobs.keys()) this.unschedule(name);
    for (const run of this.running.values()) run.abort.abort(new Error('the application is shutting down'));
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private schedule(name: string): void {
    const job = this.jobs.get(name)!;
    if (job.cron) {
      this.scheduler.addCronJob(name, job.cron);
      job.cron.start();
    } else {
      this.scheduler.addInterval(
        name,
        setInterval(() => this.tick(name), job.def.everyMs),
      );
    }
  }

  private unschedule(name: string): void {
    // Tests may have removed a timer from the registry themselves, to drive the job by hand.
    if (this.jobs.get(name)!.cron) {
      if (this.scheduler.doesExist('cron', name)) this.scheduler.deleteCronJob(name);
    } else if (this.scheduler.doesExist('interval', name)) {
      this.scheduler.deleteInterval(name);
    }
  }

  private tick(name: string): void {
    // execute() never rejects.
    void this.execute(name);
  }

  private execute(name: string): Promise<JobOutcome> {
    if (this.stopping) return Promise.resolve('skipped');
    if (this.running.has(name)) {
      this.logger.debug(`job ${name}: still running here, tick skipped`);
      return Promise.resolve('skipped');
    }
    const abort = new AbortController();
    const done = this.claimAndRun(this.jobs.get(name)!.def, abort).finally(() => this.running.delete(name));
    this.running.set(name, { done, abort });
    return done;
  }

  private async claimAndRun(def: JobDefinition, abort: AbortController): Promise<JobOutcome> {
    const startedAt = this.clock.now();
    try {
      if (!(await this.claim(def, startedAt))) {
        this.logger.debug(`job ${def.name}: leased by another instance, skipped`);
        return 'skipped';
      }
    } catch (err) {
      this.logger.error(`job ${def.name}: could not claim its lease: ${errorText(err)}`);
      return 'skipped';
    }
    this.logger.debug(`job ${def.name}: started (lease ${def.leaseMs} ms, holder ${this.holder})`);
    const heartbeat = this.startHeartbeat(def, abort);
    let error: string | null = null;
    try {
      await def.run({ name: def.name, holder: this.holder, startedAt, signal: abort.signal });
    } catch (err) {
      error = errorText(err);
      this.logger.error(`job ${def.name} failed: ${error}`, err instanceof Error ? err.stack : undefined);
    } finally {
      await heartbeat.stop();
    }
    try {
      if (await this.release(def.name, error)) {
        this.logger.debug(
          `job ${def.name}: finished in ${this.clock.now().getTime() - startedAt.getTime()} ms${error ? ' with an error' : ''}`,
        );
      } else {
        this.logger.warn(`job ${def.name}: finished, but its lease had passed to another instance meanwhile`);
      }
    } catch (err) {
      this.logger.error(`job ${def.name}: could not release its lease (it expires by itself): ${errorText(err)}`);
    }
    return error === null ? 'ran' : 'failed';
  }

  /** Extends the lease every leaseMs/3 while the job runs; aborts the job's signal if the lease was lost. */
  private startHeartbeat(def: JobDefinition, abort: AbortController): { stop(): Promise<void> } {
    let beat: Promise<void> | null = null;
    const timer = setInterval(() => {
      if (beat) return;
      beat = this.extend(def)
        .then((held) => {
          if (held || abort.signal.aborted) return;
          this.logger.error(`job ${def.name}: lost its lease to another instance (a heartbeat came too late); asking it to stop`);
          abort.abort(new Error('the lease was lost'));
        })
        .catch((err: unknown) => this.logger.warn(`job ${def.name}: heartbeat failed: ${errorText(err)}`))
        .finally(() => (beat = null));
    }, heartbeatEveryMs(def.leaseMs));
    return {
      stop: async () => {
        clearInterval(timer);
        await beat;
      },
    };
  }

  /**
   * SQLite: through the transaction queue, because its one connection is shared and a statement sent
   * beside it would run inside whatever transaction is open. MariaDB: single autocommit statements.
   */
  private write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.tx.isSqlite ? this.tx.run(work) : work(this.dataSource.manager);
  }

  /**
   * Takes the lease if nobody holds it or its holder's lease has run out: the conditional UPDATE changes
   * the row for exactly one of several instances trying at once. A job's first run inserts its row
   * already claimed; of two instances racing there the second gets a duplicate key, i.e. it lost.
   */
  private claim(def: JobDefinition, now: Date): Promise<boolean> {
    const lease = { holder: this.holder, leaseUntil: leaseUntil(now, def.leaseMs), heartbeatAt: now, lastStartedAt: now };
    return this.write(async (em) => {
      const updated = await em
        .createQueryBuilder()
        .update(JobLeaseEntity)
        .set({ ...lease, runs: () => 'runs + 1' })
        .where('name = :name', { name: def.name })
        .andWhere('(lease_until IS NULL OR lease_until < :now)', { now })
        .execute();
      if (updated.affected === 1) return true;
      try {
        await em
          .createQueryBuilder()
          .insert()
          .into(JobLeaseEntity)
          .values({ name: def.name, ...lease, lastFinishedAt: null, lastError: null, runs: 1 })
          .execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    });
  }

  /** Heartbeat: pushes the lease out again, if this instance still holds it. */
  private async extend(def: JobDefinition): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.write((em) =>
      em
        .createQueryBuilder()
        .update(JobLeaseEntity)
        .set({ leaseUntil: leaseUntil(now, def.leaseMs), heartbeatAt: now })
        .where('name = :name AND holder = :holder', { name: def.name, holder: this.holder })
        .execute(),
    );
    return result.affected === 1;
  }

  /** Gives the lease back with the run's outcome; false if another instance had taken it over. */
  private async release(name: string, error: string | null): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.write((em) =>
      em
        .createQueryBuilder()
        .update(JobLeaseEntity)
        .set({ holder: null, leaseUntil: null, lastFinishedAt: now, lastError: error })
        .where('name = :name AND holder = :holder', { name, holder: this.holder })
        .execute(),
    );
    return result.affected === 1;
  }
}
