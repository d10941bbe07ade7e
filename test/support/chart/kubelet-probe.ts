import type { IntOrString, V1Probe } from '@kubernetes/client-node';
import { connect } from 'node:net';
import { waitUntil } from '../wait.js';

/** Where a container is reached: its pod's address and the numbers of its named ports. */
export interface ProbeTarget {
  host: string;
  ports: Readonly<Record<string, number>>;
}

export interface ProbeOutcome {
  /** What the kubelet does: `GET :3000/healthz`, `TCP :9464`. */
  action: string;
  ok: boolean;
  /** The status code, `open`, or why it failed. */
  answer: string;
}

// The kubelet's defaults for a probe's unset fields.
const seconds = (probe: V1Probe) => ({
  initialDelay: probe.initialDelaySeconds ?? 0,
  period: probe.periodSeconds ?? 10,
  timeout: probe.timeoutSeconds ?? 1,
  failureThreshold: probe.failureThreshold ?? 3,
});

function portNumber(port: IntOrString, target: ProbeTarget): number {
  if (typeof port === 'number') return port;
  const number = target.ports[port];
  if (number === undefined) throw new Error(`the probe names port "${port}", which the container does not declare`);
  return number;
}

/**
 * One probe as the kubelet runs it: an httpGet succeeds on a status from 200 to 399 within timeoutSeconds, a
 * tcpSocket when the connection opens. exec and gRPC probes are not modelled (the chart has none).
 */
export async function probeOnce(probe: V1Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = seconds(probe).timeout * 1000;
  if (probe.httpGet) {
    const { path = '/', scheme = 'HTTP', httpHeaders = [] } = probe.httpGet;
    const port = portNumber(probe.httpGet.port, target);
    const action = `GET :${port}${path}`;
    if (probe.httpGet.host || scheme !== 'HTTP') throw new Error(`${action}: only plain HTTP to the pod is modelled`);
    try {
      const answer = await fetch(`http://${target.host}:${port}${path}`, {
        headers: Object.fromEntries(httpHeaders.map((h) => [h.name, h.value])),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await answer.body?.cancel();
      return { action, ok: answer.status >= 200 && answer.status < 400, answer: String(answer.status) };
    } catch (error) {
      return { action, ok: false, answer: reasonOf(error) };
    }
  }
  if (probe.tcpSocket) {
    const port = portNumber(probe.tcpSocket.port, target);
    const action = `TCP :${port}`;
    const answer = await new Promise<string>((resolve) => {
      const socket = connect({ host: target.host, port, timeout: timeoutMs });
      const settle = (outcome: string) => {
        socket.destroy();
        resolve(outcome);
      };
      socket.once('connect', () => settle('open'));
      socket.once('timeout', () => settle(`no connection within ${timeoutMs} ms`));
      socket.once('error', (error) => settle(reasonOf(error)));
    });
    return { action, ok: answer === 'open', answer };
  }
  throw new Error('only httpGet and tcpSocket probes are modelled');
}

/**
 * Probes until one succeeds, for as long as the kubelet would before it gives up on the container
 * (initialDelaySeconds + periodSeconds × failureThreshold): how a startup probe is passed. `running` throws
 * once the container's process has ended, which fails the wait at once rather than at the deadline.
 */
export function probeUntilSuccess(
  probe: V1Probe,
  target: ProbeTarget,
  /** The probe, as the failure names it: "api-a's startup probe". */
  what: string,
  running: () => void,
): Promise<ProbeOutcome> {
  const { initialDelay, period, failureThreshold } = seconds(probe);
  return waitUntil(() => (running(), probeOnce(probe, target)), {
    what: `${what} to pass`,
    timeoutMs: (initialDelay + period * failureThreshold) * 1000,
    until: (outcome) => outcome.ok,
  });
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as { code?: string }).code ?? (error as Error).message;
}
