import type { DbKind } from '../lib/databases';

export interface SectionContext {
  quick: boolean;
  /** Databases to measure on, in order. */
  dbs: DbKind[];
  /** Working directory for generated files (removed at the end). */
  workDir: string;
  log(message: string): void;
  /** Undo steps (drop databases, ...) still pending if the run is interrupted; popped when done. */
  cleanup: Array<() => Promise<void>>;
}
