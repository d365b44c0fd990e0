/**
 * Architecture rules, checked by `pnpm arch` (part of `pnpm check`): the boundaries the README's
 * "Layout" section describes. A violation names the rule, the importing file and the imported one.
 * The program boundaries hold for the programs' code (`src/`); tests, benches and the test
 * harness may drive both programs and set up databases.
 */
const PROGRAMS = '^(ingest-agent|render-consumer)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'An import circle makes load order matter and hides which module owns a job: move the shared part down.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'agent-not-consumer',
      comment: 'The ingest agent and the render consumer are separate programs: share code through shared/.',
      severity: 'error',
      from: { path: '^ingest-agent/src/' },
      to: { path: '^render-consumer/' },
    },
    {
      name: 'consumer-not-agent',
      comment: 'The ingest agent and the render consumer are separate programs: share code through shared/.',
      severity: 'error',
      from: { path: '^render-consumer/src/' },
      to: { path: '^ingest-agent/' },
    },
    {
      name: 'shared-imports-no-program',
      comment: 'shared/ is what both programs build on; it never depends on either.',
      severity: 'error',
      from: { path: '^shared/src/' },
      to: { path: PROGRAMS },
    },
    {
      name: 'packages-by-name',
      comment:
        "Code outside a package imports it by name (its exports map), never by a relative path into its sources: e.g. '@exercise-pipeline/render-consumer/catalog'.",
      severity: 'error',
      from: { path: '^(shared|ingest-agent|render-consumer|infra|test)/' },
      to: {
        path: '^(shared|ingest-agent|render-consumer|infra)/src/',
        pathNot: '^$1/',
        dependencyTypes: ['local'],
      },
    },
    {
      name: 'sources-not-test-kit',
      comment:
        "The test kit (@exercise-pipeline/test) depends on the products: only their *.test.ts files may import it, never the programs' code.",
      severity: 'error',
      from: { path: '^(shared|ingest-agent|render-consumer|infra)/src/', pathNot: '[.]test[.]ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'only-catalog-talks-sql',
      comment:
        'The catalog database is reached only through render-consumer/src/catalog/ (one operation per function).',
      severity: 'error',
      from: {
        path: '^(shared|ingest-agent|render-consumer|infra)/src/',
        pathNot: '^render-consumer/src/catalog/',
      },
      to: { path: 'node_modules/(pg|@electric-sql/pglite)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    // Workspace packages resolve to their TypeScript sources, as the typechecker sees them.
    enhancedResolveOptions: {
      conditionNames: ['source', 'import', 'types', 'default'],
      exportsFields: ['exports'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
  },
};
