// Loads .ts files for the child processes of jobs-lease.spec.ts: `node -r ./jobs-lease.transpile.js child.ts`.
// What `-r ts-node/register/transpile-only` does (TypeScript's transpileModule with tsconfig.json's options,
// CommonJS, no type check; source maps for --enable-source-maps), plus a cache of the output in the temp directory, keyed by the source text:
// transpiling the whole application takes 5-9 s of CPU per process on our 2-core machines, which made
// two processes starting at once the slowest part of the test.
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const ts = require('typescript');

const root = join(__dirname, '..', '..');
const tsconfig = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
if (tsconfig.error) throw new Error(ts.flattenDiagnosticMessageText(tsconfig.error.messageText, '\n'));
const { options } = ts.convertCompilerOptionsFromJson(tsconfig.config.compilerOptions, root);
const compilerOptions = {
  ...options,
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: true,
  incremental: false,
  declaration: false,
};
const salt = `${ts.version}\n${JSON.stringify(compilerOptions)}\n`;
const cacheDir = join(tmpdir(), 'billing-jobs-lease-transpiled');
mkdirSync(cacheDir, { recursive: true });

require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  const file = join(cacheDir, `${createHash('sha256').update(salt).update(filename).update('\n').update(source).digest('hex')}.js`);
  let code;
  try {
    code = readFileSync(file, 'utf8');
  } catch {
    code = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    // Write-then-rename: the other process may be reading the same entry.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  module._compile(code, filename);
};
