import { allContainers } from '../pods.js';
import { podReferences } from '../pod-references.js';
import type { Finding } from '../results.js';
import type { Rule } from './rule.js';

/** With `existingSecret` the chart renders no Secret and every Secret reference reads the existing one. */
export const existingSecretRule: Rule = {
  id: 'existing-secret',
  check({ profile, objects, pods }) {
    const existing = profile.existingSecret?.name;
    if (!existing) return [];
    const rendered: Finding[] = objects
      .filter((object) => object.kind === 'Secret')
      .map(({ ref }) => ({ object: ref, message: `is rendered although existingSecret is ${existing}` }));
    const elsewhere: Finding[] = pods
      .flatMap(podReferences)
      .filter(({ kind, name }) => kind === 'Secret' && name !== existing)
      .map(({ name, via }) => ({ object: via, message: `reads Secret ${name}, not the existingSecret ${existing}` }));
    const unreferenced = allContainers(pods).some(({ container }) =>
      (container.env ?? []).some((variable) => variable.valueFrom?.secretKeyRef?.name === existing),
    )
      ? []
      : [{ object: 'chart', message: `no container reads the existingSecret ${existing}` }];
    return [...rendered, ...elsewhere, ...unreferenced];
  },
};
