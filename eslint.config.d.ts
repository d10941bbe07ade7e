// Types for what the tests read from eslint.config.js.
export declare const LAYERS: Record<string, readonly string[]>;
declare const config: unknown;
export default config;
