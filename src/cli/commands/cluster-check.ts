import { ConfigError, envSchema } from '../../../config/index.js';
import { type StandaloneCliCommand, EXIT_FAILURE, EXIT_OK, UsageError } from '../cli-command.js';
import { inClusterObjects } from '../cluster-check/release-objects.js';
import { runClusterCheck } from '../cluster-check/run-cluster-check.js';
import { optionalFlag, requiredFlag } from '../flags.js';

/** A Helm release name (DNS-1123 subdomain, at most 53 characters): it goes into label selectors as is. */
const RELEASE = /^(?=.{1,53}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The chart's `helm test`: checks a running release from inside the cluster, one line per check (`ok`,
 * `FAIL` with the reason, or `skip`), exit code 1 when any failed. Every request gives up after
 * `--timeout-seconds` (10 by default), so a check that cannot finish fails instead of hanging.
 *
 * - Finds the release's api pods (`app.kubernetes.io/{name=stepguard,instance=<release>,component=api}`,
 *   or `--selector`) with the pod's service account and client-node's in-cluster config, in the namespace
 *   of the mounted namespace file; pods not Ready fail, pods being deleted are left out.
 * - Asks each Ready pod's `/readyz` on its `http` container port, by pod IP.
 * - Disconnect across pods: signs in to the check's own tenant, holds a socket.io connection on every
 *   ready pod but one, and asks that one to disconnect the session: every socket must be closed, which
 *   proves the Redis adapter reaches every pod (see disconnect-across-pods.ts).
 * - The release's newest migration Job (`component=migrate`) must have completed.
 *
 * The Disconnect needs a session and an admin, and a session needs a password, so the check has its own
 * tenant `stepguard-cluster-check-<fingerprint>` with one admin, `cluster-check@<slug>.invalid`, made
 * through the operator API (POST /v1/tenants) on the first run. Its slug and password are HMACs of
 * STEPGUARD_OPERATOR_TOKEN (the one setting this command reads): nothing is stored, nobody knows the
 * password, and whoever can derive it holds the operator token, which makes tenants at will anyway. Each
 * run adds two sessions, both signed out at its end (the session clean-up deletes them), and a few audit
 * events to that tenant's chain; a Disconnect's e-mail notice goes to the undeliverable `.invalid`
 * address. Nothing grows per run but that tenant's audit log; one tenant per operator token.
 *
 * With `--addresses`, the api nodes are those base URLs (local runs and tests) and the Job is not checked.
 */
export const clusterCheck: StandaloneCliCommand = {
  standalone: true,
  words: ['cluster-check'],
  usage: '--release R [--selector LABELS] [--addresses http://a:3000,http://b:3000] [--timeout-seconds N]',
  summary:
    "the helm test: each api pod's /readyz, a Disconnect asked of one pod closing sockets on the others, and " +
    'the migration Job (in a pod; --addresses checks api nodes by URL instead)',
  options: {
    release: { type: 'string' },
    selector: { type: 'string' },
    addresses: { type: 'string' },
    'timeout-seconds': { type: 'string' },
  },
  prepare(flags) {
    const release = requiredFlag(flags, 'release');
    if (!RELEASE.test(release)) throw new UsageError('--release: not a Helm release name');
    const selector = optionalFlag(flags, 'selector');
    const addresses = addressesOf(optionalFlag(flags, 'addresses'));
    const timeoutMs = timeoutOf(optionalFlag(flags, 'timeout-seconds'));
    return async ({ env, out }) => {
      const token = env.STEPGUARD_OPERATOR_TOKEN || undefined;
      const valid = envSchema.shape.STEPGUARD_OPERATOR_TOKEN.safeParse(token);
      if (!valid.success) throw new ConfigError(`STEPGUARD_OPERATOR_TOKEN: ${valid.error.issues[0]!.message}`);
      const ok = await runClusterCheck({
        release,
        selector,
        addresses,
        kubernetes: () => inClusterObjects(timeoutMs),
        operatorToken: valid.data,
        timeoutMs,
        out,
      });
      return ok ? EXIT_OK : EXIT_FAILURE;
    };
  },
};

function addressesOf(flag: string | undefined): string[] | undefined {
  if (flag === undefined) return undefined;
  const addresses = flag
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (addresses.length === 0) throw new UsageError('--addresses: give at least one base URL');
  for (const address of addresses) {
    const url = URL.parse(address);
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search) {
      throw new UsageError(`--addresses: ${address} is not a base URL such as http://10.0.0.7:3000`);
    }
  }
  return addresses;
}

function timeoutOf(flag: string | undefined): number {
  if (flag === undefined) return 10_000;
  const seconds = Number(flag);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300) {
    throw new UsageError('--timeout-seconds: a whole number of seconds from 1 to 300');
  }
  return seconds * 1000;
}
