import type { RenderedObject } from './manifests.js';

/** What helm's hook annotations say about an object; `events` is empty for an ordinary release object. */
export interface Hook {
  events: string[];
  weight: number;
  deletePolicies: string[];
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

export function hookOf(object: RenderedObject): Hook {
  const annotations = object.typed.metadata?.annotations ?? {};
  return {
    events: list(annotations['helm.sh/hook']),
    weight: Number.parseInt(annotations['helm.sh/hook-weight'] ?? '0', 10) || 0,
    deletePolicies: list(annotations['helm.sh/hook-delete-policy']),
  };
}

export const isHelmTest = (object: RenderedObject) =>
  hookOf(object).events.some((event) => event === 'test' || event === 'test-success');
