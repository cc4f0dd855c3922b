/**
 * The text/plain and text/html parts of a raw message as nodemailer writes it (multipart/alternative,
 * parts in quoted-printable, base64 or 7bit), decoded to strings. Enough for the tests' own mails; not a
 * general MIME parser.
 */
export function bodyParts(raw: string): { text: string | null; html: string | null } {
  const out: { text: string | null; html: string | null } = { text: null, html: null };
  const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/g)].map((m) => m[1]);
  for (const boundary of boundaries) {
    for (const section of raw.split(`--${boundary}`).slice(1)) {
      const split = section.search(/\r?\n\r?\n/);
      if (split < 0) continue;
      const head = section.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
      const type = /content-type:\s*(text\/(?:plain|html))/i.exec(head)?.[1].toLowerCase();
      if (!type || /filename=/i.test(head)) continue;
      const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(head)?.[1].toLowerCase() ?? '7bit';
      const body = section
        .slice(split)
        .replace(/^\r?\n\r?\n/, '')
        .replace(/\r?\n$/, '');
      const decoded = decode(body, encoding);
      if (type === 'text/plain') out.text = decoded;
      else out.html = decoded;
    }
  }
  return out;
}

function decode(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const soft = body.replace(/=\r?\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < soft.length; i++) {
      if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
        bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
    return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
  }
  return body.replace(/\r\n/g, '\n');
}
