/**
 * `npm run chart:check [chart-dir]` (default charts/stepguard): `helm lint --strict` and `helm template` of the
 * chart for every `ci/*-values.yaml`, every rendered object checked against the Kubernetes schemas (unknown
 * fields refused) and against Stepguard's invariants (tools/chart/rules/), and values.schema.json shown to
 * refuse bad values. One line per check; exit code 1 when any fails.
 *
 * A profile that needs an API the chart gates on `.Capabilities` declares it in a comment of its values file:
 *   # chart-check: api-versions monitoring.coreos.com/v1/ServiceMonitor monitoring.coreos.com/v1/PrometheusRule
 *
 * Built into dist/ with the app (it runs the app's own config/ code): `node tools/start.ts dist/tools/chart/check.js`.
 */
import { relative, resolve } from 'node:path';
import { checkChart } from './check-chart.js';
import { failed, resultLines } from './results.js';

const chartDir = resolve(process.argv[2] ?? 'charts/stepguard');
const results = await checkChart(chartDir);
for (const line of resultLines(results)) process.stdout.write(`${line}\n`);
const failures = failed(results).length;
process.stdout.write(
  `chart:check ${relative(process.cwd(), chartDir) || '.'}: ${results.length} checks, ${failures === 0 ? 'all passed' : `${failures} failed`}\n`,
);
process.exitCode = failures === 0 ? 0 : 1;
