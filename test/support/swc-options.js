// How the TypeScript sources are compiled for tests: by jest, and in child processes (process/ts-loader.mjs).
// Legacy decorators with their metadata, which Nest resolves constructor parameters from; import
// attributes kept (`with { type: 'json' }`), which Node requires of a JSON module.
export const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
    experimental: { keepImportAttributes: true },
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};
