import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runEntryPoint, type RunningProcess } from '../process/child-process.js';
import type { ProbeTarget } from './kubelet-probe.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The entry point and arguments of a container. The image (Dockerfile) runs `node dist/<path>.js`, the build
 * of `<path>.ts` (tsconfig: rootDir `.`, outDir `dist`); tests run the sources, so `dist/<path>.js` maps to
 * `<path>.ts`, run with the same arguments: the command's, then `args` (the image has no ENTRYPOINT).
 */
export function entryPointOf(container: V1Container): { entry: string; args: string[] } {
  const [node, script, ...rest] = container.command ?? [];
  const built = /^dist\/(.+)\.js$/.exec(script ?? '');
  if (node !== 'node' || !built) {
    throw new Error(`container ${container.name}: command ${JSON.stringify(container.command)} is not node dist/….js`);
  }
  const entry = `${built[1]}.ts`;
  if (!existsSync(`${ROOT}${entry}`)) throw new Error(`container ${container.name}: ${script} has no source ${entry}`);
  return { entry, args: [...rest, ...(container.args ?? [])] };
}

export interface LocalPod extends ProbeTarget {
  name: string;
  container: V1Container;
  env: Readonly<Record<string, string>>;
  process: RunningProcess;
  /** Throws, with what it printed, once the process has ended. */
  running(): void;
  /** Stops it as the kubelet does: SIGTERM, then SIGKILL after terminationGracePeriodSeconds. */
  stop(): Promise<void>;
}

/**
 * One container of a pod, run on this host as a process of the project's sources with exactly `env` (the
 * child gets PATH besides). Its named ports are the container's; `port` moves the one PORT names to another
 * number and sets PORT to it, for a second replica on the same host (in a cluster each pod has its own IP).
 */
export function startLocalPod(
  name: string,
  spec: V1PodSpec,
  container: V1Container,
  env: Readonly<Record<string, string>>,
  port?: number,
): LocalPod {
  const ports = Object.fromEntries((container.ports ?? []).map((p) => [p.name ?? '', p.containerPort]));
  const ownEnv = { ...env };
  if (port !== undefined) {
    const named = Object.keys(ports).find((key) => String(ports[key]) === env.PORT);
    if (!named) throw new Error(`container ${container.name}: no container port is PORT (${env.PORT})`);
    ports[named] = port;
    ownEnv.PORT = String(port);
  }
  const { entry, args } = entryPointOf(container);
  const child = runEntryPoint(entry, ownEnv, args);
  const graceMs = (spec.terminationGracePeriodSeconds ?? 30) * 1000;
  return {
    name,
    container,
    env: ownEnv,
    process: child,
    host: '127.0.0.1',
    ports,
    running() {
      const { exitCode, signalCode } = child.child;
      if (exitCode === null && signalCode === null) return;
      throw new Error(`${name} ended (${exitCode ?? signalCode}):\n${child.lines.slice(-20).join('\n')}`);
    },
    async stop() {
      if (child.child.exitCode !== null || child.child.signalCode !== null) return;
      child.child.kill('SIGTERM');
      await child.ended(graceMs).catch(() => child.stop('SIGKILL'));
    },
  };
}
