import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const slice = (name, forbidden) => ({
  files: [`src/${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((other) => ({
          // The request-auth contract (route decorators, the principal type) is open to every slice.
          group:
            other === 'auth'
              ? ['**/auth/*', '!**/auth/auth.decorators.js', '!**/auth/principal.js']
              : [`**/${other}/*`],
          message: `${name} must not depend on ${other}`,
        })),
      },
    ],
  },
});

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
  // Nest resolves constructor parameters from their emitted types: those imports must stay value imports.
  {
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  // Module boundaries (ARCHITECTURE.md): common depends on no slice; lower slices never on higher ones.
  slice('common', ['identity', 'sessions', 'auth', 'audit', 'policy', 'factors', 'stepup']),
  slice('audit', ['identity', 'sessions', 'auth', 'stepup']),
  slice('identity', ['sessions', 'stepup']),
  // The gateway sits on top: the slices it builds on never reach back into it.
  slice('sessions', ['stepup']),
  slice('factors', ['stepup']),
  slice('auth', ['stepup']),
  slice('policy', ['stepup']),
  // The client SDK runs in browsers: it may share the socket contract with the server, nothing else.
  {
    files: ['src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../stepup', '../stepup/*', '!../stepup/socket-events.js', 'node:*', '@nestjs/*'],
              message: 'the client SDK may import only ../stepup/socket-events.js and socket.io-client',
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
