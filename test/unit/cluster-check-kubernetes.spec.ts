import { describe, expect, it } from '@jest/globals';
import type { V1JobList, V1PodList } from '@kubernetes/client-node';
// The serializer CoreV1Api and BatchV1Api run on the API's answer (the package root does not re-export it).
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Pod } from 'kubernetes-models/v1/Pod';
import { readFileSync } from 'node:fs';
import { migrationJobLine } from '../../src/cli/cluster-check/migration-job.js';
import { apiPodsOf, componentSelector } from '../../src/cli/cluster-check/release-pods.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/kubernetes/${name}`, import.meta.url), 'utf8');

/** What `listNamespacedPod`/`listNamespacedJob` do with the API's answer: client-node's own parse and typing. */
function asTheClientReadsIt<T>(json: string, type: 'V1PodList' | 'V1JobList'): T {
  return ObjectSerializer.deserialize(ObjectSerializer.parse(json, 'application/json'), type, '') as T;
}

describe('cluster-check: the api pods of a PodList as the Kubernetes API answers it', () => {
  const json = fixture('api-pods.json');
  const pods = asTheClientReadsIt<V1PodList>(json, 'V1PodList');

  it('the fixture holds valid Pods by the Kubernetes schema, read into typed objects', () => {
    // The API leaves apiVersion and kind off a list's items; the schema wants them on a Pod.
    for (const item of JSON.parse(json).items) {
      expect(() => new Pod({ apiVersion: 'v1', kind: 'Pod', ...item }).validate()).not.toThrow();
    }
    expect(pods.items[0]!.metadata!.creationTimestamp).toBeInstanceOf(Date);
  });

  it('checks each Ready pod on its "http" port by pod IP, says why each other pod cannot be, and leaves out pods being deleted', () => {
    expect(apiPodsOf(pods)).toEqual([
      {
        ready: false,
        name: 'stepguard-api-5f7c9d8b64-9wnrv',
        why: expect.stringMatching(/^not Ready \(phase Pending; PodScheduled Unschedulable: 0\/3 nodes are available/),
      },
      { ready: true, name: 'stepguard-api-5f7c9d8b64-b7tsd', url: 'http://10.244.2.11:3000' },
      {
        ready: false,
        name: 'stepguard-api-5f7c9d8b64-hm4tz',
        why: 'not Ready (phase Running; ContainersNotReady: containers with unready status: [api])',
      },
      { ready: true, name: 'stepguard-api-5f7c9d8b64-x2kqp', url: 'http://10.244.1.17:3000' },
    ]);
  });

  it('refuses a Ready pod whose containers name no "http" port, and brackets an IPv6 pod IP', () => {
    const [first] = pods.items;
    const renamed = structuredClone(first!);
    renamed.spec!.containers[0]!.ports = [{ name: 'web', containerPort: 3000 }];
    const ipv6 = structuredClone(first!);
    ipv6.metadata!.name = 'stepguard-api-5f7c9d8b64-zz6v6';
    ipv6.status!.podIP = 'fd00:10:244:1::17';
    expect(apiPodsOf({ ...pods, items: [renamed, ipv6] })).toEqual([
      { ready: false, name: 'stepguard-api-5f7c9d8b64-x2kqp', why: 'no container port named "http"' },
      { ready: true, name: 'stepguard-api-5f7c9d8b64-zz6v6', url: 'http://[fd00:10:244:1::17]:3000' },
    ]);
  });

  it("selects a release's component by the chart's three labels", () => {
    expect(componentSelector('prod-eu', 'api')).toBe(
      'app.kubernetes.io/name=stepguard,app.kubernetes.io/instance=prod-eu,app.kubernetes.io/component=api',
    );
  });
});

describe('cluster-check: the migration Job of a JobList as the Kubernetes API answers it', () => {
  const json = fixture('migration-jobs.json');
  const jobs = asTheClientReadsIt<V1JobList>(json, 'V1JobList');

  it('the fixture holds valid Jobs by the Kubernetes schema', () => {
    for (const item of JSON.parse(json).items) {
      expect(() => new Job({ apiVersion: 'batch/v1', kind: 'Job', ...item }).validate()).not.toThrow();
    }
  });

  it('judges the newest Job: the failed upgrade fails the check, whatever an older one did', () => {
    expect(migrationJobLine(jobs)).toEqual({
      outcome: 'FAIL',
      check: 'migration job',
      detail: 'stepguard-migrate-2 failed (BackoffLimitExceeded: Job has reached the specified backoff limit)',
    });
  });

  it('passes a completed Job, with when it completed', () => {
    const completed = { ...jobs, items: jobs.items.filter((j) => j.metadata!.name === 'stepguard-migrate-1') };
    expect(migrationJobLine(completed)).toEqual({
      outcome: 'ok',
      check: 'migration job',
      detail: 'stepguard-migrate-1 succeeded at 2026-03-01T16:02:31.000Z',
    });
  });

  it('fails a Job still running, and a release with no migration Job', () => {
    const running = structuredClone(jobs.items[0]!);
    running.status = { active: 1, startTime: new Date('2026-03-02T09:12:40Z') };
    expect(migrationJobLine({ ...jobs, items: [running] }).detail).toBe(
      'stepguard-migrate-2 has not finished (1 pod(s) active, 0 failed)',
    );
    expect(migrationJobLine({ ...jobs, items: [] })).toMatchObject({
      outcome: 'FAIL',
      detail: expect.stringContaining('no migration Job of this release'),
    });
  });
});
