import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

/**
 * The layering (docs/architecture.md), lowest first: each slice may use the slices listed for it, and
 * only through their public face (`index.ts`). `common`, `infra` and `http` are toolboxes every slice may use;
 * they use no slice. Nothing here runs upward, so the slices cannot form a cycle.
 */
export const LAYERS = {
  audit: [],
  identity: ['audit'],
  sessions: ['audit', 'identity'],
  policy: ['audit', 'identity', 'sessions'],
  factors: ['audit', 'identity', 'sessions', 'policy'],
  compliance: ['audit', 'identity', 'sessions', 'policy', 'factors'],
  auth: ['audit', 'identity', 'sessions', 'policy', 'factors', 'compliance'],
  live: ['audit', 'identity', 'sessions', 'policy', 'factors', 'compliance', 'auth'],
  web: ['audit', 'identity', 'sessions', 'policy', 'factors', 'compliance', 'auth', 'live'],
};
const SLICES = Object.keys(LAYERS);
/** The processes' assembly around the slices: what each may use besides the toolboxes. */
const ASSEMBLY = {
  ops: SLICES,
  composition: [...SLICES, 'ops'],
  bootstrap: ['identity'],
  cli: [...SLICES, 'bootstrap', 'composition'],
  workers: [...SLICES, 'bootstrap', 'composition'],
};
const TOOLBOXES = ['common', 'infra', 'http'];

const publicFace = (types) => ({ to: { element: { types: { anyOf: types }, fileInternalPath: 'index.ts' } } });
const layering = {
  plugins: { boundaries },
  files: ['src/**/*.ts', 'workers/**/*.ts'],
  ignores: ['src/client/**'],
  settings: {
    'import/resolver': { typescript: { project: './tsconfig.json' } },
    'boundaries/elements': [
      ...[...SLICES, ...TOOLBOXES, 'ops', 'bootstrap', 'cli', 'client'].map((name) => ({
        type: name,
        pattern: `src/${name}`,
      })),
      { type: 'workers', pattern: 'workers' },
      // The module tree every process starts from (src/main.ts, the api's entry, sits outside every element).
      { type: 'composition', pattern: 'src/app' },
    ],
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'disallow',
        message: '{{from.type}} must not import {{to.type}}/{{to.fileInternalPath}} (see LAYERS in eslint.config.js)',
        policies: [
          // Inside an element anything goes; the toolboxes are open to everyone; infra and http use only common.
          { allow: { dependency: { relationship: { to: 'internal' } } } },
          {
            from: { element: { types: { noneOf: ['common'] } } },
            allow: { to: { element: { types: { anyOf: TOOLBOXES } } } },
          },
          {
            from: { element: { types: { anyOf: ['infra', 'http'] } } },
            allow: { to: { element: { type: 'common' } } },
          },
          ...Object.entries({ ...LAYERS, ...ASSEMBLY }).flatMap(([name, uses]) => {
            const faced = uses.filter((u) => SLICES.includes(u));
            const whole = uses.filter((u) => !SLICES.includes(u));
            return [
              ...(faced.length ? [{ from: { element: { type: name } }, allow: publicFace(faced) }] : []),
              ...(whole.length
                ? [{ from: { element: { type: name } }, allow: { to: { element: { types: { anyOf: whole } } } } }]
                : []),
            ];
          }),
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.stepguard/', 'charts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-console': ['error', { allow: ['error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  // The pages' scripts run in the browser.
  { files: ['src/web/assets/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  // Nest resolves constructor parameters from their emitted types: those imports must stay value imports.
  {
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  layering,
  // The client SDK runs in browsers: it may share the socket contract with the server, nothing else.
  {
    files: ['src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../live', '../live/*', '!../live/socket-events.js', 'node:*', '@nestjs/*'],
              message: 'the client SDK may import only ../live/socket-events.js and socket.io-client',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'test/**/*.ts',
      'bench/**/*.js',
      'tools/**/*.ts',
      'src/cli/**/*.ts',
      'src/main.ts',
      'workers/main.ts',
      'src/bootstrap/**/*.ts',
    ],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
