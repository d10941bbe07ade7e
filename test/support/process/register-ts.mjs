// `node --import ./test/support/process/register-ts.mjs some-entry.ts`: see ts-loader.mjs.
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
