import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat; null off Linux. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** The pid of the local MariaDB server (mariadbd or mysqld), or null when it is not on this machine. */
export function mariadbPid(): number | null {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        if (comm === 'mariadbd' || comm === 'mysqld') return Number(entry);
      } catch {
        /* gone */
      }
    }
  } catch {
    /* not Linux */
  }
  return null;
}

/** CPU of several processes over a stretch of work: start(), then stop() gives ms used by each. */
export class CpuMeter {
  private before = new Map<string, number | null>();

  constructor(private readonly pids: Record<string, number | null>) {}

  start(): void {
    for (const [name, pid] of Object.entries(this.pids)) this.before.set(name, pid === null ? null : processCpuMs(pid));
  }

  stop(): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const b = this.before.get(name);
      const a = pid === null ? null : processCpuMs(pid);
      out[name] = a === null || b === null || b === undefined ? null : a - b;
    }
    return out;
  }
}
