// The server's layers, lowest first (docs/architecture.md draws them):
//   base      config.ts, errors.ts, version.ts       imports nothing of the server
//   db/       storage: Kysely, migrations, commits    base
//   shared/   pure core: clock, ids, cursors, crypto, the AppContext type    base, db
//   http/     HTTP plumbing: auth, problems, schemas, validators, health     base, db, shared
//   features  companies, customers, program, points, events, webhooks, delivery, overview,
//             notifications, rewards, coupons, orders
//             (plumbing and the pure core; each other's functions, never each other's routes)
//   app/      the assembly: runtime, build-app, metrics, the worker's app     everything below
//   cli/      commands, on top                                                everything
const SRC = '^packages/server/src/';
const BASE = `${SRC}(config|errors|version)\\.ts$`;
const FEATURES = `${SRC}(companies|customers|program|points|events|webhooks|delivery|overview|notifications|rewards|coupons|audit|orders)/`;
const PLUMBING = `${SRC}(db|shared|http)/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere in the server.',
      from: { path: SRC },
      to: { circular: true },
    },
    {
      name: 'base-imports-nothing',
      severity: 'error',
      comment: 'config, errors and version are the bottom: they import no folder of the server.',
      from: { path: BASE },
      to: { path: `${SRC}[^/]+/` },
    },
    {
      name: 'db-is-storage-only',
      severity: 'error',
      comment: 'db/ knows only the base: no pure-core, HTTP, feature, app or CLI code.',
      from: { path: `${SRC}db/` },
      to: { path: SRC, pathNot: [`${SRC}db/`, BASE] },
    },
    {
      name: 'shared-is-core',
      severity: 'error',
      comment: 'shared/ (the pure core) may use db/ types and the base, nothing above.',
      from: { path: `${SRC}shared/` },
      to: { path: SRC, pathNot: [`${SRC}(shared|db)/`, BASE] },
    },
    {
      name: 'http-is-plumbing',
      severity: 'error',
      comment: 'http/ is below every feature: features plug into it, it imports none of them.',
      from: { path: `${SRC}http/` },
      to: { path: SRC, pathNot: [PLUMBING, BASE] },
    },
    {
      name: 'features-below-assembly',
      severity: 'error',
      comment: 'Features never import the assembly (app/) or a command (cli/).',
      from: { path: FEATURES },
      to: { path: `${SRC}(app|cli)/` },
    },
    {
      name: 'no-foreign-routes',
      severity: 'error',
      comment:
        "A feature imports another feature's functions, never its route file: shared schemas live in http/schemas.ts.",
      from: { path: FEATURES },
      to: { path: `${FEATURES}.*-routes\\.ts$`, pathNot: `${SRC}$1/` },
    },
    {
      name: 'delivery-below-webhooks',
      severity: 'error',
      comment: 'The delivery engine sends what the webhook features set up; it imports none of them.',
      from: { path: `${SRC}delivery/` },
      to: { path: `${SRC}(webhooks|customers|points|program|companies|overview|orders)/` },
    },
    {
      name: 'delivery-context-for-the-engine',
      severity: 'error',
      comment: 'Only the engine, the webhook features and the assembly see the delivery context.',
      from: { path: SRC, pathNot: `${SRC}(delivery|webhooks|app)/` },
      to: { path: `${SRC}delivery/delivery-context\\.ts$` },
    },
    {
      name: 'store-adapters-from-the-assembly',
      severity: 'error',
      comment: 'The delivery store adapters are picked where the runtime is assembled; code uses the port.',
      from: { path: SRC, pathNot: [`${SRC}app/`, `${SRC}delivery/store/`] },
      to: { path: `${SRC}delivery/store/(sqlite|postgres)-delivery-store\\.ts$` },
    },
    {
      name: 'dialect-stays-in-db',
      severity: 'error',
      comment:
        'Only db/ knows which engine runs (dialectOf); features, routes and the assembly never branch on it.',
      from: { path: SRC, pathNot: `${SRC}db/` },
      to: { path: `${SRC}db/dialect\\.ts$` },
    },
    {
      name: 'app-below-cli',
      severity: 'error',
      comment: 'The assembly imports no command.',
      from: { path: `${SRC}app/` },
      to: { path: `${SRC}cli/` },
    },
  ],
  options: {
    includeOnly: SRC,
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,

    doNotFollow: { path: 'node_modules' },
  },
};
