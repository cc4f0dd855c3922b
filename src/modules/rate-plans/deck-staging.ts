import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '../../shared/clock';
import { ValidationError } from '../../shared/errors';
import type { SpooledUpload } from './deck-upload';

/** How long a previewed deck waits for "Apply" on the import page. */
export const STAGED_DECK_MINUTES = 60;

interface StagedMeta {
  planId: number;
  personId: number | null;
  effectiveFrom: string | null;
  stagedAt: number;
}

/**
 * Decks uploaded on the import page and previewed, kept on disk until the person applies them (so the
 * file is not uploaded twice). A random token names each; it is bound to the plan and the person.
 * Files live on the instance that received the upload: behind a load balancer, the apply must reach
 * the same instance (sticky sessions), or the person uploads again.
 */
@Injectable()
export class DeckStaging {
  private readonly root = join(tmpdir(), 'rate-deck-staging');

  constructor(private readonly clock: Clock) {}

  async stage(upload: SpooledUpload, meta: Omit<StagedMeta, 'stagedAt'>): Promise<string> {
    await this.sweep();
    const token = randomBytes(18).toString('base64url');
    const dir = join(this.root, token);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await rename(upload.path, join(dir, 'deck.csv'));
    await upload.cleanup();
    await writeFile(join(dir, 'meta.json'), JSON.stringify({ ...meta, stagedAt: this.clock.now().getTime() }), { mode: 0o600 });
    return token;
  }

  /** The staged deck for this plan and person; 400 when the token is unknown, expired or someone else's. */
  async find(
    token: unknown,
    planId: number,
    personId: number | null,
  ): Promise<{ path: string; effectiveFrom: string | null; discard: () => Promise<void> }> {
    const gone = new ValidationError('this preview has expired or was already applied: upload the deck again');
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{24}$/.test(token)) throw gone;
    const dir = join(this.root, token);
    let meta: StagedMeta;
    try {
      meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as StagedMeta;
    } catch {
      throw gone;
    }
    if (meta.planId !== planId || meta.personId !== personId || this.expired(meta.stagedAt)) throw gone;
    // Claim the preview with an atomic rename, so that of two "Apply" clicks (or a click racing the
    // clean-up of the first) exactly one gets the file and the other is told it was already applied.
    const claimed = `${dir}.claimed-${randomBytes(6).toString('hex')}`;
    try {
      await rename(dir, claimed);
    } catch {
      throw gone;
    }
    return {
      path: join(claimed, 'deck.csv'),
      effectiveFrom: meta.effectiveFrom,
      discard: () => rm(claimed, { recursive: true, force: true }),
    };
  }

  private expired(stagedAt: number): boolean {
    return this.clock.now().getTime() - stagedAt > STAGED_DECK_MINUTES * 60_000 || stagedAt > this.clock.now().getTime() + 60_000;
  }

  /** Removes staged decks nobody applied. */
  async sweep(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return;
    }
    for (const entry of entries) {
      const dir = join(this.root, entry);
      try {
        const info = await stat(dir);
        if (this.clock.now().getTime() - info.mtimeMs > STAGED_DECK_MINUTES * 60_000) await rm(dir, { recursive: true, force: true });
      } catch {
        /* removed meanwhile */
      }
    }
  }
}
