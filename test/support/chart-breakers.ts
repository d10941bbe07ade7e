/**
 * Ways to break one chart:check rule in a copy of a chart, by editing its files as a person would. They are
 * written against the usual shapes of a chart (securityContext in values.yaml or a template, `kind:` at the
 * top of a template, `matchLabels:` blocks), so they fit more than the fixture; one that finds nothing to
 * change in a chart throws, naming itself, rather than pass without breaking anything.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RuleId } from '../../tools/chart/results.js';
import { schemaAt, wrongTypePaths, type JsonSchema } from '../../tools/chart/values-schema-checks.js';
import {
  deleteBlocks,
  dropConditionals,
  editSchema,
  everywhere,
  notRendering,
  rendering,
  rewrite,
  templates,
  type Files,
} from './chart-edits.js';

export interface Breaker {
  rule: RuleId;
  /** What the breaker does, as the test names it. */
  breaks: string;
  /** A finding of `rule` must match this. */
  expect: RegExp;
  apply(chartDir: string): void;
  /** Charts (by path) whose design leaves nothing for this breaker to break, each with the reason. */
  notFor?: Record<string, string>;
}

/** A breaker that rewrites `files` with `change`. */
const edit = (
  rule: RuleId,
  breaks: string,
  expect: RegExp,
  files: Files,
  change: (text: string) => string,
): Breaker => ({ rule, breaks, expect, apply: (chartDir) => rewrite(chartDir, files, change, breaks) });

const UNGATED_CUSTOM_RESOURCE = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: chart-check-ungated
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: stepguard
  endpoints: []
`;

export const BREAKERS: Breaker[] = [
  edit(
    'schema',
    'an unknown field in a Deployment spec',
    /\/spec\/chartCheckUnknownField is not a field of Deployment/,
    rendering('Deployment'),
    (text) => text.replace(/^spec:\s*$/m, '$&\n  chartCheckUnknownField: true'),
  ),
  edit(
    'schema',
    'a string where a Deployment wants an integer',
    /\/spec\/minReadySeconds must be integer/,
    rendering('Deployment'),
    (text) => text.replace(/^spec:\s*$/m, '$&\n  minReadySeconds: "soon"'),
  ),
  {
    rule: 'crd-gated',
    breaks: 'a custom resource rendered without checking .Capabilities',
    expect: /monitoring\.coreos\.com\/v1\/ServiceMonitor has no Kubernetes schema/,
    apply: (chartDir) =>
      writeFileSync(join(chartDir, 'templates', 'chart-check-ungated.yaml'), UNGATED_CUSTOM_RESOURCE),
  },
  edit('hardened', 'readOnlyRootFilesystem false', /readOnlyRootFilesystem must be true/, everywhere, (text) =>
    text.replace(/readOnlyRootFilesystem:\s*true/g, 'readOnlyRootFilesystem: false'),
  ),
  edit('hardened', 'runAsNonRoot false', /runAsNonRoot must be true/, everywhere, (text) =>
    text.replace(/runAsNonRoot:\s*true/g, 'runAsNonRoot: false'),
  ),
  edit('hardened', 'runAsUser 0', /runAsUser must be a fixed non-root uid \(is 0\)/, everywhere, (text) =>
    text.replace(/runAsUser:\s*\d+/g, 'runAsUser: 0'),
  ),
  edit('hardened', 'allowPrivilegeEscalation true', /allowPrivilegeEscalation must be false/, everywhere, (text) =>
    text.replace(/allowPrivilegeEscalation:\s*false/g, 'allowPrivilegeEscalation: true'),
  ),
  edit('hardened', 'capabilities no longer dropping ALL', /capabilities\.drop must include ALL/, everywhere, (text) =>
    text.replace(/(drop:\s*(?:\[\s*|\n\s*-\s*))["']?ALL["']?/g, '$1NET_RAW'),
  ),
  edit('hardened', 'seccompProfile Unconfined', /seccompProfile\.type must be RuntimeDefault/, everywhere, (text) =>
    text.replace(/RuntimeDefault/g, 'Unconfined'),
  ),
  edit(
    'resources',
    'no resources on any container',
    /resources must set requests\.cpu, requests\.memory, limits\.memory/,
    templates,
    (text) => deleteBlocks(text, /^\s*resources:/),
  ),
  edit('probes', 'no readiness probes', /readinessProbe is missing/, templates, (text) =>
    deleteBlocks(text, /^\s*readinessProbe:/),
  ),
  edit(
    'selectors',
    'a PodDisruptionBudget selecting a label no pod has',
    /selects no workload/,
    rendering('PodDisruptionBudget'),
    (text) => text.replace(/^( *)matchLabels:\s*$/m, '$&\n$1  chart-check-broken: "true"'),
  ),
  edit('selectors', 'a Service selecting a label no pod has', /selects no workload/, rendering('Service'), (text) =>
    text.replace(/^( *)selector:\s*$/m, '$&\n$1  chart-check-broken: "true"'),
  ),
  edit(
    'selectors',
    'an autoscaler targeting a missing Deployment',
    /scaleTargetRef Deployment\/\S+-missing is not a workload/,
    rendering('HorizontalPodAutoscaler'),
    (text) => text.replace(/(scaleTargetRef:[\s\S]*?\bname: [^\n]*)/, '$1-missing'),
  ),
  edit(
    'migration-hook',
    'the migration Job without its hook annotation',
    /helm\.sh\/hook must include pre-install/,
    rendering('Job'),
    (text) => deleteBlocks(text, /^\s*"?helm\.sh\/hook"?:.*pre-install/),
  ),
  edit(
    'migration-hook',
    'what the Job reads weighted after it',
    /hook weight 100 is not below the Job's/,
    notRendering('Job'),
    (text) => text.replace(/("?helm\.sh\/hook-weight"?:\s*)"?-?\d+"?/g, '$1"100"'),
  ),
  {
    ...edit(
      'migration-hook',
      'what the Job reads deleted once the hooks succeed',
      /hook-delete-policy hook-succeeded deletes it after the hooks, but the workloads read it too/,
      notRendering('Job'),
      (text) => text.replace(/("?helm\.sh\/hook-delete-policy"?:\s*)[^\n]+/g, '$1hook-succeeded'),
    ),
    notFor: {
      'charts/stepguard':
        'its Job reads hook copies of the ConfigMap and Secret that no workload reads: deleting them after the hooks is the design',
    },
  },
  edit(
    'migration-hook',
    'the Job reading a Secret nobody renders or names',
    /reads Secret\/chart-check-unrendered .*which the chart does not render and the values do not name/,
    templates,
    (text) =>
      text.replace(
        /^( *)env:\s*$/m,
        '$&\n$1  - name: DATABASE_URL\n$1    valueFrom:\n$1      secretKeyRef:\n$1        name: chart-check-unrendered\n$1        key: url',
      ),
  ),
  edit(
    'migration-hook',
    'the workloads migrating at start',
    /STEPGUARD_MIGRATE_ON_START must be false \(is true\)/,
    everywhere,
    (text) =>
      text
        .replace(/(STEPGUARD_MIGRATE_ON_START["']?:\s*)["']?false["']?/g, '$1"true"')
        .replace(/(name:\s*["']?STEPGUARD_MIGRATE_ON_START["']?\s*\n\s*value:\s*)["']?false["']?/g, '$1"true"'),
  ),
  edit(
    'existing-secret',
    'the Secret still rendered with existingSecret',
    /Secret\/\S+: is rendered although existingSecret is/,
    rendering('Secret'),
    (text) => text.replaceAll('existingSecret', 'chartCheckIgnoredExistingSecret'),
  ),
  edit(
    'existing-secret',
    'a secretKeyRef not rewired to the existingSecret',
    /reads Secret chart-check-other-secret, not the existingSecret/,
    templates,
    (text) => text.replace(/(secretKeyRef:\s*\n\s*name:\s*)[^\n]+/, '$1chart-check-other-secret'),
  ),
  // In the templates: a values schema that refuses `latest` would stop the render before the rule is reached.
  edit('image-tag', 'the image tag latest', /uses the tag latest/, templates, (text) =>
    text.replace(/\.Values\.image\.tag(\s*\|\s*default\s+\.Chart\.AppVersion)?/g, '"latest"'),
  ),
  edit('image-tag', 'an image without a tag', /has no tag/, templates, (text) =>
    text
      .replace(/:\{\{-?\s*[^}]*\.tag\b[^}]*\}\}/g, '')
      .replace(/printf "%s:%s(@%s)?" (\.Values\.image\.repository) \$tag/g, 'printf "%s$1" $2'),
  ),
  edit(
    'grace-period',
    'terminationGracePeriodSeconds 10',
    /terminationGracePeriodSeconds 10 must exceed SHUTDOWN_TIMEOUT_SECONDS/,
    everywhere,
    (text) => text.replace(/(terminationGracePeriodSeconds:\s*)(\d+|\{\{[^}]*\}\})/g, '$110'),
  ),
  edit(
    'service-account-token',
    'a Deployment mounting its token',
    /mounts a service-account token/,
    rendering('Deployment'),
    (text) => text.replace(/automountServiceAccountToken:\s*false/g, 'automountServiceAccountToken: true'),
  ),
  edit(
    'settings-known',
    'an environment variable that is no setting',
    /STEPGUARD_NOT_A_SETTING is not a setting in config\/schema\.ts/,
    rendering('ConfigMap'),
    (text) => text.replace(/^data:\s*$/m, '$&\n  STEPGUARD_NOT_A_SETTING: "1"'),
  ),
  edit(
    'settings-production',
    'a required secret dropped',
    /STEPGUARD_OPERATOR_TOKEN: is required when NODE_ENV=production/,
    everywhere,
    (text) =>
      deleteBlocks(text, /^\s*(- name:\s*)?["']?STEPGUARD_OPERATOR_TOKEN["']?\s*(:|$)/)
        // A chart that lists its secret settings in a helper, one row each.
        .replace(/^.*\(list "STEPGUARD_OPERATOR_TOKEN"[^\n]*\n/gm, ''),
  ),
  {
    rule: 'values-schema',
    breaks: 'values.schema.json allowing unknown keys',
    expect: /unknown key chartCheckUnknownKey: helm template accepted them/,
    apply: (chartDir) =>
      editSchema(chartDir, 'allow unknown keys', (schema) => {
        schema.additionalProperties = true;
      }),
  },
  {
    rule: 'values-schema',
    breaks: 'values.schema.json leaving a number untyped',
    expect: /helm template accepted a string for /,
    apply: (chartDir) =>
      editSchema(chartDir, 'leave a number untyped', (schema) => {
        const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as unknown;
        const [first] = wrongTypePaths(values, schema as JsonSchema);
        if (first) delete schemaAt(schema as JsonSchema, first)?.type;
      }),
  },
  {
    rule: 'values-schema',
    breaks: 'values.schema.json allowing existingSecret with inline secrets',
    expect: /existingSecret .* and the inline secrets of .*: helm template accepted them/,
    apply: (chartDir) => {
      editSchema(chartDir, 'allow existingSecret with inline secrets', dropConditionals);
      // A chart may refuse the pair in a template instead (a `fail` under `if and …existingSecret …`): drop that too.
      for (const file of templates(chartDir)) {
        const text = readFileSync(file, 'utf8');
        const dropped = text.replace(
          /\{\{-? if and [^}]*existingSecret[^}]*\}\}\s*\{\{-? fail [^\n]*\n\{\{-? end -?\}\}/g,
          '',
        );
        if (dropped !== text) writeFileSync(file, dropped);
      }
    },
  },
];
