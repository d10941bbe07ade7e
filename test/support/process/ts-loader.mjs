// Node module hooks that run the TypeScript sources directly in a child process, compiled by swc with
// the same options as jest (legacy decorators and their metadata, which Nest needs and Node's own type
// stripping does not do). `.js` paths that do not exist resolve to the `.ts` file beside them.
import { transform } from '@swc/core';
import { readFile } from 'node:fs/promises';
import { SWC_OPTIONS } from '../swc-options.js';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const isPath = /^(\.{1,2}\/|\/|file:)/.test(specifier);
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !isPath || !specifier.endsWith('.js')) throw error;
    return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { code } = await transform(source, { ...SWC_OPTIONS, filename: new URL(url).pathname });
  return { format: 'module', source: code, shortCircuit: true };
}
