import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { Clock } from '../../src/shared/clock';
import { JobLeaseEntity } from '../../src/shared/jobs/job-lease.entity';
import { JobContext, JobRunner } from '../../src/shared/jobs/job-runner';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

const HOUR = 3_600_000;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe(`job leases on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  /** Instances are JobRunners side by side on the app's database, each with its own clock and registry. */
  const instances: JobRunner[] = [];
  function instance(clock = new Clock()): JobRunner {
    const runner = new JobRunner(t.dataSource, t.app.get(TransactionRunner), clock, new SchedulerRegistry());
    instances.push(runner);
    return runner;
  }
  const lease = (name: string) => t.dataSource.getRepository(JobLeaseEntity).findOneBy({ name });

  beforeAll(async () => {
    t = await startTestApp();
    // The app's own timer stays out of these tests; the test runs the job itself.
    t.app.get(SchedulerRegistry).deleteInterval('outbox-dispatch');
  });
  afterAll(async () => {
    for (const runner of instances) await runner.onModuleDestroy();
    await t?.close();
  });

  it('runs the outbox dispatcher as the job outbox-dispatch, under its lease', async () => {
    expect(await t.app.get(JobRunner).runNow('outbox-dispatch')).toBe('ran');
    expect(await lease('outbox-dispatch')).toMatchObject({ holder: null, leaseUntil: null, lastError: null, runs: 1 });
  });

  it('claims a free lease, skips while it is held (here or elsewhere), and releases it with the outcome', async () => {
    const [a, b] = [instance(), instance()];
    const release = deferred();
    const started = deferred();
    const seen: JobContext[] = [];
    a.register({
      name: 'claim',
      everyMs: HOUR,
      leaseMs: 60_000,
      run: async (ctx) => {
        seen.push(ctx);
        started.resolve();
        await release.promise;
      },
    });
    const bRuns: string[] = [];
    b.register({ name: 'claim', everyMs: HOUR, leaseMs: 60_000, run: async (ctx) => void bRuns.push(ctx.holder) });

    const before = new Date();
    const running = a.runNow('claim');
    await started.promise;
    const held = (await lease('claim'))!;
    expect(held).toMatchObject({ holder: a.holder, runs: 1, lastFinishedAt: null });
    expect(held.leaseUntil!.getTime()).toBeGreaterThanOrEqual(before.getTime() + 60_000);
    expect(held.lastStartedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());

    expect(await b.runNow('claim')).toBe('skipped');
    expect(await a.runNow('claim')).toBe('skipped');
    expect(bRuns).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ name: 'claim', holder: a.holder });
    expect(seen[0].signal.aborted).toBe(false);

    release.resolve();
    expect(await running).toBe('ran');
    const released = (await lease('claim'))!;
    expect(released).toMatchObject({ holder: null, leaseUntil: null, lastError: null, runs: 1 });
    expect(released.lastFinishedAt!.getTime()).toBeGreaterThanOrEqual(held.lastStartedAt!.getTime());

    expect(await b.runNow('claim')).toBe('ran');
    expect(bRuns).toEqual([b.holder]);
    expect(await lease('claim')).toMatchObject({ holder: null, runs: 2 });
    expect(a.holder).not.toBe(b.holder);
  });

  it('of instances claiming a new job at the same moment, exactly one runs it (the others see a duplicate key, not an error)', async () => {
    const runners = [instance(), instance(), instance()];
    const errors = jest.spyOn(Logger.prototype, 'error');
    for (let round = 0; round < 8; round++) {
      const name = `race-${round}`;
      let runs = 0;
      for (const r of runners) r.register({ name, everyMs: HOUR, leaseMs: 60_000, run: () => sleep(50).then(() => void runs++) });
      const outcomes = await Promise.all(runners.map((r) => r.runNow(name)));
      expect(outcomes.sort()).toEqual(['ran', 'skipped', 'skipped']);
      expect(runs).toBe(1);
      expect(await lease(name)).toMatchObject({ holder: null, runs: 1 });
    }
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });

  it('takes over a lease whose holder died once lease_until has passed, not before', async () => {
    const clock = new Clock();
    const b = instance(clock);
    let runs = 0;
    b.register({ name: 'orphaned', everyMs: HOUR, leaseMs: 60_000, run: async () => void runs++ });
    const now = clock.now();
    await t.app.get(TransactionRunner).run((em) =>
      em.insert(JobLeaseEntity, {
        name: 'orphaned',
        holder: 'a-dead-instance',
        leaseUntil: new Date(now.getTime() + 30_000),
        heartbeatAt: now,
        lastStartedAt: now,
        lastFinishedAt: null,
        lastError: null,
        runs: 7,
      }),
    );
    expect(await b.runNow('orphaned')).toBe('skipped');
    clock.setNow(new Date(now.getTime() + 29_000));
    expect(await b.runNow('orphaned')).toBe('skipped');
    clock.setNow(new Date(now.getTime() + 31_000));
    expect(await b.runNow('orphaned')).toBe('ran');
    expect(runs).toBe(1);
    expect(await lease('orphaned')).toMatchObject({ holder: null, leaseUntil: null, runs: 8, lastError: null });
  });

  it('a slow holder whose lease was taken over is told to stop (ctx.signal) and does not release the new holder’s lease', async () => {
    const a = instance();
    const bClock = new Clock();
    const b = instance(bClock);
    const aStarted = deferred();
    let aSignal: AbortSignal | undefined;
    a.register({
      name: 'slow',
      everyMs: HOUR,
      leaseMs: 600,
      run: async (ctx) => {
        aSignal = ctx.signal;
        aStarted.resolve();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      },
    });
    const bRelease = deferred();
    const bStarted = deferred();
    b.register({
      name: 'slow',
      everyMs: HOUR,
      leaseMs: 600,
      run: async () => {
        bStarted.resolve();
        await bRelease.promise;
      },
    });
    const aRun = a.runNow('slow');
    await aStarted.promise;
    // B's clock is ten minutes ahead: to B, A's lease ran out long ago (as if A had stalled that long).
    bClock.setNow(new Date(Date.now() + 600_000));
    const bRun = b.runNow('slow');
    await bStarted.promise;
    expect((await lease('slow'))!.holder).toBe(b.holder);
    // A's next heartbeat (every 200 ms) finds B's name on the row.
    expect(await aRun).toBe('ran');
    expect(aSignal!.aborted).toBe(true);
    expect((await lease('slow'))!.holder).toBe(b.holder);
    bRelease.resolve();
    expect(await bRun).toBe('ran');
    expect(await lease('slow')).toMatchObject({ holder: null, leaseUntil: null, runs: 2 });
  });

  it('heartbeats keep the lease of a job that runs longer than the lease', async () => {
    const [a, b] = [instance(), instance()];
    const done = deferred();
    a.register({ name: 'long', everyMs: HOUR, leaseMs: 400, run: () => done.promise });
    b.register({ name: 'long', everyMs: HOUR, leaseMs: 400, run: () => Promise.resolve() });
    const running = a.runNow('long');
    const first = await waitFor('the claim', async () => (await lease('long'))?.leaseUntil);
    const leaseEnds = [first.getTime()];
    const heartbeats = new Set<number>();
    // Five lease lengths: without heartbeats B would have taken over four times.
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      expect(await b.runNow('long')).toBe('skipped');
      const row = (await lease('long'))!;
      expect(row.holder).toBe(a.holder);
      leaseEnds.push(row.leaseUntil!.getTime());
      heartbeats.add(row.heartbeatAt!.getTime());
      await sleep(50);
    }
    done.resolve();
    expect(await running).toBe('ran');
    expect(heartbeats.size).toBeGreaterThanOrEqual(5);
    expect(leaseEnds[leaseEnds.length - 1]).toBeGreaterThan(first.getTime() + 1200);
    expect(leaseEnds).toEqual([...leaseEnds].sort((x, y) => x - y));
    expect(await b.runNow('long')).toBe('ran');
  });

  it('heartbeats under a frozen test clock (they change nothing in the row) still count as holding the lease', async () => {
    const clock = new Clock();
    clock.freeze(new Date());
    const a = instance(clock);
    let signal: AbortSignal | undefined;
    a.register({
      name: 'frozen',
      everyMs: HOUR,
      leaseMs: 300,
      run: async (ctx) => {
        signal = ctx.signal;
        await sleep(450);
      },
    });
    expect(await a.runNow('frozen')).toBe('ran');
    expect(signal!.aborted).toBe(false);
    expect(await lease('frozen')).toMatchObject({ holder: null, lastError: null });
  });

  it('a job that throws records last_error and releases the lease; the next run clears it', async () => {
    const a = instance();
    let fail = true;
    a.register({
      name: 'flaky',
      everyMs: HOUR,
      leaseMs: 60_000,
      run: async () => {
        if (fail) throw new Error('the carrier API answered 503');
      },
    });
    expect(await a.runNow('flaky')).toBe('failed');
    const failed = (await lease('flaky'))!;
    expect(failed).toMatchObject({ holder: null, leaseUntil: null, lastError: 'Error: the carrier API answered 503', runs: 1 });
    expect(failed.lastFinishedAt).not.toBeNull();
    fail = false;
    expect(await a.runNow('flaky')).toBe('ran');
    expect(await lease('flaky')).toMatchObject({ lastError: null, runs: 2 });
  });

  it('runs registered jobs on their timer once the application has started, survives their errors, and stops them on close', async () => {
    const registry = new SchedulerRegistry();
    const runner = new JobRunner(t.dataSource, t.app.get(TransactionRunner), new Clock(), registry);
    let ticks = 0;
    runner.register({
      name: 'ticking',
      everyMs: 50,
      leaseMs: 1000,
      run: async () => {
        ticks++;
        throw new Error(`tick ${ticks} failed`);
      },
    });
    await sleep(150);
    expect(ticks).toBe(0);
    runner.onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual(['ticking']);
    await waitFor('three ticks', async () => ((await lease('ticking'))?.runs ?? 0) >= 3);
    await runner.onModuleDestroy();
    expect(registry.getIntervals()).toEqual([]);
    const row = (await lease('ticking'))!;
    expect(row).toMatchObject({ holder: null, leaseUntil: null });
    expect(row.lastError).toMatch(/^Error: tick \d+ failed$/);
    const after = ticks;
    await sleep(200);
    expect(ticks).toBe(after);
    expect(await runner.runNow('ticking')).toBe('skipped');
  });

  it('refuses a second job of the same name and runNow of an unknown job', () => {
    const a = instance();
    a.register({ name: 'once', everyMs: HOUR, leaseMs: 1000, run: () => Promise.resolve() });
    expect(() => a.register({ name: 'once', everyMs: HOUR, leaseMs: 1000, run: () => Promise.resolve() })).toThrow(/already registered/);
    expect(() => a.runNow('nothing')).toThrow(/no job "nothing"/);
  });

  describe('two application processes on one database', () => {
    const EVERY_MS = 100;
    const LEASE_MS = 1000;
    /** Longer than the lease: only heartbeats keep the other process out. */
    const WORK_MS = 1300;

    interface Child {
      proc: ChildProcess;
      pid: number;
      holder: string;
      output: string[];
    }
    const children: Child[] = [];
    const starts: Array<{ pid: number; at: number }> = [];

    function spawnChild(): Promise<Child> {
      const output: string[] = [];
      const proc = fork(join(__dirname, 'jobs-lease.child.ts'), [], {
        // Like `-r ts-node/register/transpile-only`, with the transpiled files cached (see the file).
        execArgv: ['--enable-source-maps', '-r', join(__dirname, 'jobs-lease.transpile.js')],
        env: {
          ...process.env,
          DATABASE_URL: t.databaseUrl,
          PROBE_EVERY_MS: String(EVERY_MS),
          PROBE_LEASE_MS: String(LEASE_MS),
          PROBE_WORK_MS: String(WORK_MS),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      proc.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
      proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      proc.on('message', (m: { event: string; pid: number }) => {
        if (m.event === 'start') starts.push({ pid: m.pid, at: Date.now() });
      });
      return new Promise((resolve, reject) => {
        proc.on('message', (m: { event: string; pid: number; holder: string }) => {
          if (m.event === 'ready') {
            const child = { proc, pid: m.pid, holder: m.holder, output };
            children.push(child);
            resolve(child);
          }
        });
        proc.on('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before it was ready:\n${output.join('')}`)));
      });
    }

    async function probeRows(): Promise<Array<{ pid: number; event: 'start' | 'end'; at: number }>> {
      const rows = (await t.dataSource.query('SELECT pid, event, at_ms FROM job_probe ORDER BY at_ms, event DESC')) as Array<{
        pid: number | string;
        event: 'start' | 'end';
        at_ms: number | string;
      }>;
      return rows.map((r) => ({ pid: Number(r.pid), event: r.event, at: Number(r.at_ms) }));
    }

    beforeAll(async () => {
      await t.dataSource.query('CREATE TABLE job_probe (pid integer NOT NULL, event varchar(5) NOT NULL, at_ms bigint NOT NULL)');
    });
    afterAll(async () => {
      for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    });

    it('runs the job in one process at a time, and after a SIGKILL of the holder mid-run the other takes over once the lease ran out', async () => {
      // One after the other: the second starts from the first one's transpiled files.
      const one = await spawnChild();
      const two = await spawnChild();
      expect(one.holder).not.toBe(two.holder);

      // Several runs back to back: each process ticks every 100 ms, each run lasts 1.3 s.
      await waitFor('four finished runs', async () => (await probeRows()).filter((r) => r.event === 'end').length >= 4, 20_000);

      // Kill whichever process holds the lease, 400 ms into a run (after its first heartbeat).
      const startsBefore = starts.length;
      await waitFor('a new run', () => starts.length > startsBefore);
      const killed = children.find((c) => c.pid === starts[starts.length - 1].pid)!;
      const survivor = killed === one ? two : one;
      await sleep(400);
      const held = (await t.dataSource.getRepository(JobLeaseEntity).findOneByOrFail({ name: 'probe' }))!;
      expect(held.holder).toBe(killed.holder);
      killed.proc.kill('SIGKILL');
      await new Promise((r) => killed.proc.once('exit', r));
      const killedAt = Date.now();
      // Its last heartbeat may have moved the lease after our read: the row says when it really ends.
      const orphaned = await t.dataSource.getRepository(JobLeaseEntity).findOneByOrFail({ name: 'probe' });
      expect(orphaned.holder).toBe(killed.holder);
      const leaseEnd = orphaned.leaseUntil!.getTime();
      expect(leaseEnd).toBeGreaterThan(killedAt);

      const takeover = await waitFor(
        'the survivor to take over',
        async () => (await probeRows()).find((r) => r.pid === survivor.pid && r.event === 'start' && r.at >= killedAt),
        LEASE_MS + 5000,
      );
      // Not before the dead holder's lease ran out, and within a few ticks after.
      expect(takeover.at).toBeGreaterThanOrEqual(leaseEnd);
      expect(takeover.at).toBeLessThan(leaseEnd + 1000);
      await waitFor(
        'the takeover run to finish',
        async () => (await probeRows()).some((r) => r.pid === survivor.pid && r.event === 'end' && r.at > takeover.at),
        5000,
      );

      // At most one run at any moment: the killed run counts as running until its lease ran out.
      const rows = await probeRows();
      const open = new Map<number, number>();
      const runs: Array<{ pid: number; from: number; to: number }> = [];
      for (const r of rows) {
        if (r.event === 'start') open.set(r.pid, r.at);
        else {
          runs.push({ pid: r.pid, from: open.get(r.pid)!, to: r.at });
          open.delete(r.pid);
        }
      }
      expect(open.has(killed.pid)).toBe(true);
      // The survivor may have started its next run meanwhile: it runs until further notice.
      for (const [pid, from] of open) runs.push({ pid, from, to: pid === killed.pid ? leaseEnd : Infinity });
      runs.sort((x, y) => x.from - y.from);
      for (let i = 1; i < runs.length; i++) {
        if (runs[i].from < runs[i - 1].to) throw new Error(`runs overlap: ${JSON.stringify(runs[i - 1])} and ${JSON.stringify(runs[i])}`);
      }
      expect(new Set(runs.map((r) => r.pid))).toEqual(new Set([one.pid, two.pid]));
      expect(runs.length).toBeGreaterThanOrEqual(6);

      // A graceful stop releases the lease at once.
      survivor.proc.kill('SIGTERM');
      await new Promise((r) => survivor.proc.once('exit', r));
      expect(await t.dataSource.getRepository(JobLeaseEntity).findOneByOrFail({ name: 'probe' })).toMatchObject({
        holder: null,
        leaseUntil: null,
      });
    }, 55_000);
  });
});
