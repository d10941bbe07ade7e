import { schemaProblems } from '../kube-schemas.js';
import type { Finding } from '../results.js';
import type { Rule } from './rule.js';

/** Every object is valid against its Kubernetes schema, unknown fields included. */
export const schemaRule: Rule = {
  id: 'schema',
  async check({ objects }) {
    const findings = await Promise.all(
      objects.map(async ({ raw, typed, ref }): Promise<Finding[]> => {
        const problems = await schemaProblems(raw, typed);
        return (problems ?? []).map((message) => ({ object: ref, message }));
      }),
    );
    return findings.flat();
  },
};

/**
 * An object without a Kubernetes schema is a custom resource: the profile must declare its API (the chart
 * renders it only when `.Capabilities` has it), else a cluster without the CRD would fail the install.
 */
export const crdGatedRule: Rule = {
  id: 'crd-gated',
  async check({ objects, profile }) {
    const findings = await Promise.all(
      objects.map(async ({ raw, typed, ref }): Promise<Finding[]> => {
        if ((await schemaProblems(raw, typed)) !== undefined) return [];
        const api = `${String(raw.apiVersion)}/${String(raw.kind)}`;
        if (profile.apiVersions.includes(api)) return [];
        return [
          {
            object: ref,
            message: `${api} has no Kubernetes schema and the profile does not declare it (# chart-check: api-versions): render it only when .Capabilities.APIVersions has it`,
          },
        ];
      }),
    );
    return findings.flat();
  },
};
