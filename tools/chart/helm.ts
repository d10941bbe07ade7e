import { execFile } from 'node:child_process';
import { kubeBinary } from '../kube-binaries.js';

/** The release every render uses: its name shows in object names, never in a rule. */
export const RELEASE = 'chart-check';
export const NAMESPACE = 'stepguard';

export interface HelmRun {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs the real helm (tools/kube-binaries.ts); a non-zero exit is an answer, not an exception. */
export function helm(args: string[]): Promise<HelmRun> {
  return new Promise((resolve, reject) => {
    execFile(kubeBinary('helm'), args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // A number is helm's exit code; anything else (ENOENT, a signal) means helm did not run to an answer.
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ ok: !error, stdout, stderr });
    });
  });
}

/** `helm template` of the chart with values files and extra flags, as `helm install` would render it. */
export function helmTemplate(chartDir: string, valueFiles: string[], extra: string[] = []): Promise<HelmRun> {
  return helm([
    'template',
    RELEASE,
    chartDir,
    '--namespace',
    NAMESPACE,
    ...valueFiles.flatMap((file) => ['--values', file]),
    ...extra,
  ]);
}

/** The lines of helm's error output that say what is wrong (without its usage chatter). */
export const helmError = (run: HelmRun) => run.stderr.trim().split('\n').filter(Boolean).join(' ');
