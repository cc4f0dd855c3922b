import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { destinationName, generatePrefixes } from '../lib/prefixes';
import { Random } from '../lib/random';

export const DECK_HEADER = 'prefix,destination,connect_fee,included_seconds,per_minute,first_block,increment,minimum_charge,direction';

const micros = (n: number) => {
  const s = String(n).padStart(7, '0');
  return `${s.slice(0, -6)}.${s.slice(-6)}`;
};

/** Writes a valid rate deck of `rows` distinct prefixes (the required columns, as carriers send them). */
export async function writeDeckFile(file: string, rows: number, seed = 424242): Promise<{ rows: number; bytes: number; seconds: number }> {
  const start = Date.now();
  const prefixes = generatePrefixes(rows, seed);
  const rnd = new Random(3);
  const out = createWriteStream(file);
  let buf = `${DECK_HEADER}\n`;
  const billing = ['1,1', '30,6', '60,60', '60,1'];
  for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i];
    const connect = rnd.next() < 0.7 ? '0' : micros(rnd.int(0, 50_000));
    const [firstBlock, increment] = billing[rnd.int(0, 3)].split(',');
    buf += `${p},${destinationName(p)},${connect},0,${micros(rnd.int(0, 900_000))},${firstBlock},${increment},0,outbound\n`;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return { rows: prefixes.length, bytes: (await stat(file)).size, seconds: (Date.now() - start) / 1000 };
}

/** Reads a deck line the cheap way (the baseline does no validation): the fields of the required columns. */
export function splitDeckLine(line: string): string[] {
  return line.split(',');
}

/** "0.012345" -> micro-units as an integer string, for the baseline's direct insert (trusted input). */
export function decimalToMicros(text: string): string {
  const [whole, frac = ''] = text.split('.');
  return String(BigInt(whole + (frac + '000000').slice(0, 6)));
}
