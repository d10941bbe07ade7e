import { callApi, describeAnswer } from './api-call.js';
import { type CheckLine, failed, passed, reasonOf } from './check-line.js';
import type { ApiNode } from './release-pods.js';

/** The node's `/readyz`, the path the chart's readiness probe asks: ready means PostgreSQL and Redis answer it. */
export async function readinessLine(node: ApiNode, timeoutMs: number): Promise<CheckLine> {
  const check = `readyz ${node.name}`;
  try {
    const answer = await callApi(node, { method: 'GET', path: '/readyz' }, timeoutMs);
    if (answer.status === 200) return passed(check, `ready (${node.url})`);
    return failed(check, `${node.url}/readyz answered ${describeAnswer(answer)}`);
  } catch (error) {
    return failed(check, reasonOf(error));
  }
}
