import busboy from 'busboy';
import type { IncomingHttpHeaders } from 'node:http';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PayloadTooLargeError, ValidationError } from '../../shared/errors';
import { CSRF_FIELD, csrfFailed } from '../admin/admin.api';

export interface SpooledUpload {
  path: string;
  bytes: number;
  /** Removes the file; safe to call more than once. */
  cleanup(): Promise<void>;
}

export const tooLarge = (maxBytes: number) =>
  new PayloadTooLargeError(`the rate deck is larger than the limit of ${maxBytes} bytes (RATE_DECK_MAX_BYTES)`);

/**
 * Copies an upload to a private temporary file, refusing it (413) once it passes `maxBytes`. The deck is
 * then read from disk, so a slow client never holds a database transaction open and nothing of the
 * upload is held in memory. On refusal the rest of the body is read and discarded (not destroyed), so
 * the client still receives the 413 answer.
 */
export async function spoolUpload(source: Readable, maxBytes: number, declaredLength?: number): Promise<SpooledUpload> {
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    source.resume();
    throw tooLarge(maxBytes);
  }
  const dir = await mkdtemp(join(tmpdir(), 'rate-deck-'));
  const path = join(dir, 'deck.csv');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const out = createWriteStream(path, { mode: 0o600 });
  let bytes = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        source.off('data', onData);
        source.resume();
        out.destroy();
        reject(err);
      };
      const onData = (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) return fail(tooLarge(maxBytes));
        if (!out.write(chunk)) {
          source.pause();
          out.once('drain', () => source.resume());
        }
      };
      source.on('data', onData);
      source.once('end', () => {
        if (settled) return;
        out.end();
      });
      out.once('finish', () => {
        if (settled) return;
        settled = true;
        resolve();
      });
      out.once('error', (err) => fail(err));
      source.once('error', () => fail(new ValidationError('the upload was interrupted')));
      source.once('aborted', () => fail(new ValidationError('the upload was interrupted')));
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { path, bytes, cleanup };
}

/**
 * A rate deck from an HTML form (multipart/form-data, field `file`), streamed to a temporary file with
 * the same size limit; the form's other fields come back as text. No file → 400.
 *
 * `verifyToken` checks the form's CSRF token (CsrfService.verifyFormToken): the `_csrf` field must come
 * before the file (it is the form's first field), and the file is not accepted, not a byte written, unless
 * the token is valid (403 `csrf_failed`, also when no file is sent).
 */
export async function spoolMultipartDeck(
  req: Readable & { headers: IncomingHttpHeaders },
  maxBytes: number,
  verifyToken: (token: string | undefined) => Promise<boolean>,
): Promise<{ upload: SpooledUpload; fields: Record<string, string> }> {
  const fields: Record<string, string> = {};
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 10_000, fileSize: maxBytes } });
  } catch {
    throw new ValidationError('the form must be sent as multipart/form-data');
  }
  let spooled: Promise<SpooledUpload> | null = null;
  let truncated = false;
  parser.on('field', (name, value) => {
    fields[name] = value;
  });
  parser.on('file', (name, stream, info) => {
    // A file input left empty still sends a part, with no file name.
    if (name !== 'file' || spooled || info.filename === '') {
      stream.resume();
      return;
    }
    // busboy cuts the part at fileSize and says so with 'limit'.
    stream.once('limit', () => (truncated = true));
    // The stream stays paused (busboy waits) until the token is checked; a bad one drains it unread.
    spooled = verifyToken(fields[CSRF_FIELD]).then((ok) => {
      if (ok) return spoolUpload(stream, maxBytes);
      stream.resume();
      throw csrfFailed();
    });
    spooled.catch(() => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    parser.on('close', () => resolve());
    parser.on('error', (err: unknown) => reject(new ValidationError(`the upload could not be read: ${err instanceof Error ? err.message : String(err)}`)));
    req.pipe(parser);
  });
  if (!spooled) {
    if (!(await verifyToken(fields[CSRF_FIELD]))) throw csrfFailed();
    throw ValidationError.field('file', 'choose a CSV file to upload');
  }
  const upload = await (spooled as Promise<SpooledUpload>);
  if (truncated) {
    await upload.cleanup();
    throw tooLarge(maxBytes);
  }
  return { upload, fields };
}
