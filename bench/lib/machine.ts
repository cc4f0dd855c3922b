import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { serverVersions } from './databases';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memory: string;
  node: string;
  sqlite: string;
  mariadb: string | null;
  os: string;
}

function sh(cmd: string): string | null {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    /* not Linux */
  }
  const free = sh('free -h');
  const memLine = free?.split('\n').find((l) => l.startsWith('Mem:'));
  const versions = await serverVersions();
  return {
    cpuModel,
    cores: Number(sh('nproc') ?? os.cpus().length),
    memory: memLine ? `total ${memLine.split(/\s+/)[1]}` : `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    sqlite: versions.sqlite,
    mariadb: versions.mysql,
    os: `${os.type()} ${os.release()}`,
  };
}
