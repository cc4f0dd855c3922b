// Module boundaries, checked by `npm run lint:deps` (part of `npm run lint`). docs/ARCHITECTURE.md explains
// the layering; its diagram is generated from this file by scripts/architecture-diagram.sh.
//
// Layers, lowest first. A module may import the kernel (src/config, src/database, src/shared) and the
// PUBLIC files of modules in LOWER layers only. A module not listed here has no layer: nothing may import
// it and it may import no other module until it is placed in this list (and in docs/ARCHITECTURE.md).
const LAYERS = [
  'admin', // 1  page machinery: layout, forms, pager, flash, CSRF
  'system', // 2  settings, regions, dial plans, currencies, exchange rates, test clock
  'notifications', // 3  outbox, email templates, mailer
  'taxes', // 4
  'identity', // 5  people, logins, sessions, API keys, the auth guard
  'telephony', // 6  numbers, SIP accounts, mailboxes
  'rate-plans', // 7  plans, rates, decks, rating, price lookup
  'customers', // 8  the customer tree; implements the kernel port CustomerDirectory
  'billing', // 9  ledger, balances; (to come) authorize, CDRs, vouchers, top-up requests
  'invoicing', // 10 periods, fees and charges, invoice runs, PDF/UBL documents, payments, credit notes
  'affiliates', // 11 (future)
];

const escape = (name) => name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
const alternatives = (names) => names.map(escape).join('|');

/** The files of a module another module may import: <m>/<m>.api.ts, <m>/<m>.module.ts, <m>/domain/**. */
const PUBLIC_FILE = '^src/modules/([^/]+)/(\\1\\.(api|module)\\.ts$|domain/)';

/** One rule per layer: from a module to any module that is not itself and not in a lower layer. */
const layerRules = LAYERS.map((name, index) => ({
  name: `layer-${name}`,
  severity: 'error',
  comment:
    `'${name}' is layer ${index + 1}: it may import only ` +
    (index === 0
      ? 'the kernel (src/shared, src/database, src/config), no other module.'
      : `the kernel and the public files of the lower layers (${LAYERS.slice(0, index).join(', ')}).`),
  from: { path: `^src/modules/${escape(name)}/` },
  to: {
    path: '^src/modules/',
    pathNot: `^src/modules/(${alternatives(LAYERS.slice(0, index + 1))})/`,
  },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Files must not depend on each other in a cycle (type-only imports included).',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'module-has-a-layer',
      severity: 'error',
      comment:
        'A module folder that is not in LAYERS in .dependency-cruiser.cjs has no layer: add it there ' +
        '(and to docs/ARCHITECTURE.md) before it imports another module.',
      from: { path: `^src/modules/(?!(?:${alternatives(LAYERS)})/)([^/]+)/` },
      to: { path: '^src/modules/', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'no-internals',
      severity: 'error',
      comment:
        "Another module's internals (entities/, repositories, services, controllers, dto/, ...) are its own: " +
        'import only its <m>.api.ts, <m>.module.ts or domain/**.',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/(?!$1/)[^/]+/', pathNot: PUBLIC_FILE },
    },
    {
      name: 'kernel-is-a-kernel',
      severity: 'error',
      comment:
        'src/shared, src/database and src/config import no module (modules below customers reach the tree ' +
        'through the CustomerDirectory port). Sole exception: the entity registry src/database/entities.ts.',
      from: { path: '^src/(shared|config|database)/', pathNot: '^src/database/entities\\.ts$' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/** holds pure rules: no TypeORM, no NestJS, no database kernel, and no non-domain file of any module.',
      from: { path: '^src/modules/[^/]+/domain/' },
      to: {
        path: [
          '(^|/)node_modules/(typeorm|@nestjs/[^/]+)/',
          '^(typeorm|@nestjs/[^/]+)(/|$)',
          '^src/database/',
          '^src/modules/[^/]+/(?!domain/)',
        ],
      },
    },
    {
      name: 'composition-root-uses-public-files',
      severity: 'error',
      comment:
        'The composition root (main.ts, app.module.ts, app.factory.ts, cli.ts, ormconfig.ts) wires modules ' +
        'through their <m>.module.ts and <m>.api.ts only.',
      from: { path: '^(src/(main|app\\.module|app\\.factory|cli)\\.ts|ormconfig\\.ts)$' },
      to: { path: '^src/modules/', pathNot: '^src/modules/([^/]+)/\\1\\.(api|module)\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that cannot be resolved (a typo, or a package missing from package.json).',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-orphans',
      severity: 'ignore',
      comment: 'Off: specs, migrations and CLI entry points are legitimately unimported.',
      from: { orphan: true },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is not excluded (domain-is-pure must see imports of typeorm and @nestjs/*), only not followed.
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      mermaid: { minify: false },
    },
  },
};
