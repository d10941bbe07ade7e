import type { PodTemplate } from './pods.js';
import { containersOf } from './pods.js';

/** An object a pod needs before it can start. */
export interface PodReference {
  kind: 'Secret' | 'ConfigMap' | 'ServiceAccount';
  name: string;
  /** What in the pod refers to it. */
  via: string;
}

/** The Secrets, ConfigMaps and ServiceAccount a pod refers to (env, envFrom, volumes, serviceAccountName). */
export function podReferences(pod: PodTemplate): PodReference[] {
  const references: PodReference[] = [
    { kind: 'ServiceAccount', name: pod.spec.serviceAccountName ?? 'default', via: 'serviceAccountName' },
  ];
  for (const { container, where } of containersOf(pod)) {
    for (const from of container.envFrom ?? []) {
      if (from.secretRef?.name) references.push({ kind: 'Secret', name: from.secretRef.name, via: `${where} envFrom` });
      if (from.configMapRef?.name) {
        references.push({ kind: 'ConfigMap', name: from.configMapRef.name, via: `${where} envFrom` });
      }
    }
    for (const variable of container.env ?? []) {
      const secret = variable.valueFrom?.secretKeyRef?.name;
      const configMap = variable.valueFrom?.configMapKeyRef?.name;
      if (secret) references.push({ kind: 'Secret', name: secret, via: `${where} ${variable.name}` });
      if (configMap) references.push({ kind: 'ConfigMap', name: configMap, via: `${where} ${variable.name}` });
    }
  }
  for (const volume of pod.spec.volumes ?? []) {
    const via = `${pod.owner.ref} volume ${volume.name}`;
    if (volume.secret?.secretName) references.push({ kind: 'Secret', name: volume.secret.secretName, via });
    if (volume.configMap?.name) references.push({ kind: 'ConfigMap', name: volume.configMap.name, via });
    for (const source of volume.projected?.sources ?? []) {
      if (source.secret?.name) references.push({ kind: 'Secret', name: source.secret.name, via });
      if (source.configMap?.name) references.push({ kind: 'ConfigMap', name: source.configMap.name, via });
    }
  }
  return references;
}
