/**
 * The app under test in a process of its own (for the `calls` section): the load generator and the
 * driver-level floors run in the section's process, so the app's CPU time (/proc/<pid>/stat) and a CPU
 * profile of it hold the app's work only.
 *
 * The parent forks this file with the database URL, receives `{ ready, baseUrl, adminHeaders, pid }` and
 * then sends commands over IPC (AppServerCommand) and gets one answer per command, in order.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { BillingApi } from '../../src/modules/billing/billing.api';
import { startApp, type RunningApp, type Statement } from './app';

export type AppServerCommand =
  | { cmd: 'count' }
  | { cmd: 'capture-start' }
  | { cmd: 'capture-stop' }
  | { cmd: 'verify-ledger' }
  | { cmd: 'profile-start' }
  | { cmd: 'profile-stop'; file: string; top: number }
  | { cmd: 'close' };

export interface ProfileEntry {
  functionName: string;
  url: string;
  line: number;
  selfMs: number;
  share: number;
}

interface Ready {
  ready: true;
  baseUrl: string;
  adminHeaders: Record<string, string>;
  pid: number;
}

type Answer = { ok: true; value: unknown } | { ok: false; error: string };

/** The parent's handle on the app process. */
export class AppServer {
  private pending: Array<(a: Answer) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    readonly adminHeaders: Record<string, string>,
    readonly pid: number,
  ) {
    child.on('message', (m: Answer) => this.pending.shift()?.(m));
  }

  /** Forks the app on `databaseUrl`; `execArgv` e.g. ['--cpu-prof'] from BENCH_APP_NODE_OPTIONS. */
  static start(databaseUrl: string, execArgv: string[] = []): Promise<AppServer> {
    return new Promise((resolve, reject) => {
      const child = fork(__filename, ['--app-server', databaseUrl], {
        execArgv: [...execArgv, ...(process.env.BENCH_APP_NODE_OPTIONS?.split(/\s+/).filter(Boolean) ?? [])],
        env: { ...process.env },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const onExit = (code: number | null) => reject(new Error(`app server exited with ${code} before it was ready`));
      child.once('exit', onExit);
      child.once('error', reject);
      child.once('message', (m: Ready | Answer) => {
        child.off('exit', onExit);
        if ('ready' in m) resolve(new AppServer(child, m.baseUrl, m.adminHeaders, m.pid));
        else reject(new Error(`app server failed: ${'error' in m ? m.error : 'unknown'}`));
      });
    });
  }

  send<T>(command: AppServerCommand): Promise<T> {
    return new Promise((resolve, reject) => {
      this.pending.push((a) => (a.ok ? resolve(a.value as T) : reject(new Error(a.error))));
      this.child.send(command);
    });
  }

  /** SQL statements TypeORM has sent so far. */
  count(): Promise<number> {
    return this.send<number>({ cmd: 'count' });
  }

  /** The statements the app sent while `fn` ran. */
  async capture(fn: () => Promise<unknown>): Promise<Statement[]> {
    await this.send({ cmd: 'capture-start' });
    let failure: unknown = null;
    try {
      await fn();
    } catch (err) {
      failure = err ?? new Error('capture failed');
    }
    const statements = await this.send<Statement[]>({ cmd: 'capture-stop' });
    if (failure) throw failure;
    return statements;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    try {
      await Promise.race([this.send({ cmd: 'close' }), new Promise((r) => setTimeout(r, 10_000))]);
    } catch {
      /* gone already */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------
// The child side.

function post(session: Session, method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (summed over the profile's nodes), largest first. */
function selfTimes(profile: CpuProfile, top: number): ProfileEntry[] {
  const byNode = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    byNode.set(profile.samples[i], (byNode.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map<string, ProfileEntry>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    total += us;
    const f = node.callFrame;
    const url = f.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
    const key = `${f.functionName}|${url}|${f.lineNumber}`;
    const e = byFunction.get(key) ?? { functionName: f.functionName || '(anonymous)', url, line: f.lineNumber + 1, selfMs: 0, share: 0 };
    e.selfMs += us / 1000;
    byFunction.set(key, e);
  }
  const all = [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs);
  for (const e of all) e.share = total ? (e.selfMs * 1000) / total : 0;
  // Then the self time by where the code lives (a package, the app's own modules, Node, GC, idle).
  const groups = new Map<string, ProfileEntry>();
  for (const e of all) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(e.url)?.[1];
    const app = /(?:dist\/)?src\/(modules\/[^/]+|[^/]+)/.exec(e.url)?.[1];
    const name = pkg
      ? `package ${pkg}`
      : app
        ? `app src/${app}`
        : e.url.startsWith('node:')
          ? 'node internals (JS)'
          : e.url
            ? 'other JS'
            : `native: ${e.functionName}`;
    const g = groups.get(name) ?? { functionName: `[group] ${name}`, url: '', line: 0, selfMs: 0, share: 0 };
    g.selfMs += e.selfMs;
    g.share += e.share;
    groups.set(name, g);
  }
  const grouped = [...groups.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, 15);
  return [...all.slice(0, top), ...grouped];
}

async function serve(databaseUrl: string): Promise<void> {
  const send = (m: Ready | Answer) => process.send!(m);
  let running: RunningApp;
  try {
    running = await startApp(databaseUrl);
  } catch (err) {
    send({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  }
  const app = running;
  let session: Session | null = null;
  process.on('message', (command: AppServerCommand) => {
    void (async (): Promise<unknown> => {
      switch (command.cmd) {
        case 'count':
          return app.queries.count;
        case 'capture-start':
          app.queries.recording = [];
          return null;
        case 'capture-stop': {
          const statements = app.queries.recording ?? [];
          app.queries.recording = null;
          // Values as the driver got them; Dates become ISO text over IPC, so send their SQL form.
          return statements.map((s) => ({ sql: s.sql, params: s.params.map((p) => (p instanceof Date ? { date: p.toISOString() } : p)) }));
        }
        case 'verify-ledger':
          return (await app.app.get(BillingApi).verifyLedger(app.dataSource.manager)).length;
        case 'profile-start':
          session = new Session();
          session.connect();
          await post(session, 'Profiler.enable');
          await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
          await post(session, 'Profiler.start');
          return null;
        case 'profile-stop': {
          if (!session) return [];
          const { profile } = (await post(session, 'Profiler.stop')) as { profile: CpuProfile };
          session.disconnect();
          session = null;
          writeFileSync(command.file, JSON.stringify(profile));
          return selfTimes(profile, command.top);
        }
        case 'close':
          await app.close();
          setTimeout(() => process.exit(0), 100).unref();
          return null;
      }
    })().then(
      (value) => send({ ok: true, value: value ?? null }),
      (err: unknown) => send({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: true, baseUrl: app.baseUrl, adminHeaders: app.adminHeaders, pid: process.pid });
}

const at = process.argv.indexOf('--app-server');
if (at >= 0) void serve(process.argv[at + 1]);
