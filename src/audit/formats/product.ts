import pkg from '../../../package.json' with { type: 'json' };

/** Who writes the stream, as every format names it (CEF header, OCSF `metadata.product`, ECS `observer`). */
export const PRODUCT = { vendor: 'Stepguard', name: 'Stepguard', version: pkg.version } as const;
