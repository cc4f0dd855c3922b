#!/usr/bin/env node
// Runs before `npm test`: the browser tests need Debian's Chromium (never a downloaded browser); the
// invoice document tests read PDFs back with pdftotext, validate UBL XML with xmllint (XSD) and run the
// EN 16931 rules with Saxon-HE on Java. On a fresh machine where we are root with apt-get, install what
// is missing; otherwise say exactly what is missing.
const { existsSync } = require('node:fs');
const { execFileSync } = require('node:child_process');

const needed = [
  { path: '/usr/bin/chromium', pkg: 'chromium' },
  { path: '/usr/bin/pdftotext', pkg: 'poppler-utils' },
  { path: '/usr/bin/xmllint', pkg: 'libxml2-utils' },
  { path: '/usr/share/java/Saxon-HE.jar', pkg: 'libsaxonhe-java' },
  { path: '/usr/bin/java', pkg: 'default-jre-headless' },
].filter((t) => !existsSync(t.path));
if (needed.length === 0) process.exit(0);
const pkgs = needed.map((t) => t.pkg);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !existsSync('/usr/bin/apt-get')) {
  console.error(`Missing test tools: ${pkgs.join(', ')}. Install them with: sudo apt-get install -y ${pkgs.join(' ')}`);
  process.exit(1);
}
console.log(`Installing test tools from Debian: ${pkgs.join(', ')} (one time)`);
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
  stdio: 'inherit',
  env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
});
