/** One line of a section's table. Every figure the bench prints goes through this shape (and into the JSON). */
export interface ResultRow {
  section: string;
  /** 'memory', 'sqlite' or 'mysql' (the database the figure was measured on). */
  db: string;
  metric: string;
  /** null = not measured (see `note`). */
  value: number | null;
  unit: string;
  /** Human-readable target, e.g. ">= 200000/s" or "< 60 s"; '' when the figure is informational. */
  target: string;
  /** The same work done the plain way in the same run, for the ratio; null when there is none. */
  baseline: number | null;
  /** value / baseline for throughputs, baseline / value for durations: > 1 means faster than the baseline. */
  ratio: number | null;
  status: 'PASS' | 'FAIL' | 'INFO' | 'NOT MEASURED';
  note?: string;
}

export type Comparison = { op: '>=' | '<'; limit: number } | null;

export function row(
  section: string,
  db: string,
  metric: string,
  value: number | null,
  unit: string,
  opts: { target?: Comparison; baseline?: number | null; higherIsBetter?: boolean; note?: string } = {},
): ResultRow {
  const target = opts.target ?? null;
  const baseline = opts.baseline ?? null;
  const higherIsBetter = opts.higherIsBetter ?? true;
  let ratio: number | null = null;
  if (value !== null && baseline !== null && value > 0 && baseline > 0) ratio = higherIsBetter ? value / baseline : baseline / value;
  let status: ResultRow['status'] = 'INFO';
  if (value === null) status = 'NOT MEASURED';
  else if (target) status = (target.op === '>=' ? value >= target.limit : value < target.limit) ? 'PASS' : 'FAIL';
  return {
    section,
    db,
    metric,
    value,
    unit,
    target: target ? `${target.op} ${formatNumber(target.limit)} ${unit}`.trim() : '',
    baseline,
    ratio,
    status,
    ...(opts.note ? { note: opts.note } : {}),
  };
}

export function notMeasured(section: string, db: string, metric: string, unit: string, target: Comparison, note: string): ResultRow {
  return row(section, db, metric, null, unit, { target, note });
}

export function formatNumber(n: number | null): string {
  if (n === null) return '-';
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString('en-US');
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** A plain text table: metric, value, target, baseline, ratio, status. */
export function formatTable(title: string, rows: ResultRow[]): string {
  const header = ['db', 'metric', 'value', 'target', 'baseline', 'ratio', 'result'];
  const cells = rows.map((r) => [
    r.db,
    r.metric,
    r.value === null ? 'not measured' : `${formatNumber(r.value)} ${r.unit}`.trim(),
    r.target || '-',
    r.baseline === null ? '-' : `${formatNumber(r.baseline)} ${r.unit}`.trim(),
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i >= 2 && i <= 5 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  ');
  const out = [`== ${title} ==`, line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  const notes = rows.filter((r) => r.note).map((r) => `  * [${r.db}] ${r.metric}: ${r.note}`);
  if (notes.length) out.push('', ...notes);
  return out.join('\n');
}
