import type { LogFormat } from '../config/config';

/** What the first start made (customers' BootstrapService.firstStart). */
export interface FirstStart {
  username: string;
  generatedPassword: string | null;
}

/**
 * The few lines a person starting the server reads: where it runs (and its API docs), and how to log in
 * (on the first start the administrator's generated password, shown this once). At a terminal (pretty
 * logs) plain text; with JSON logs the same lines as JSON log lines (with `url`), so the log stays
 * machine-readable from its first line.
 */
export function startupBanner(
  config: { publicUrl: string; adminUsername: string; logFormat: LogFormat },
  first: FirstStart | null,
  now = new Date(),
): string {
  const url = `${config.publicUrl}/`;
  const lines = [`VoIP Billing is running at ${url}  (API docs: ${config.publicUrl}/api/docs)`];
  if (first) {
    lines.push(`Administrator login: ${first.username}`);
    lines.push(
      first.generatedPassword
        ? `Password (shown only this once, change it after logging in): ${first.generatedPassword}`
        : 'Password: the ADMIN_PASSWORD you set',
    );
  } else {
    lines.push(`Log in as ${config.adminUsername} (or any person you created).`);
  }
  if (config.logFormat === 'pretty') return lines.join('\n') + '\n';
  return lines.map((msg) => JSON.stringify({ level: 30, time: now.getTime(), context: 'Startup', url, msg })).join('\n') + '\n';
}
