import type { ApiNode } from './release-pods.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * One request to one api node, aborted after `timeoutMs`; a node that cannot be reached or does not
 * answer in time throws an error that names it, what was asked and why.
 */
export async function callApi(
  node: ApiNode,
  request: { method: 'GET' | 'POST'; path: string; token?: string; body?: unknown },
  timeoutMs: number,
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(new URL(request.path, node.url), {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (error) {
    throw new Error(`${request.method} ${request.path} on ${node.name}: ${unreachable(error, timeoutMs)}`);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's error page): the text is what there is to report.
  }
  return { status: response.status, body };
}

/** What an answer that is not the one expected says, in a few words (problem+json's code and detail). */
export function describeAnswer({ status, body }: ApiAnswer): string {
  if (body && typeof body === 'object') {
    const { code, detail, title } = body as { code?: string; detail?: string; title?: string };
    const said = [code, detail ?? title].filter(Boolean).join(': ');
    if (said) return `${status} ${said}`;
  }
  return typeof body === 'string' && body ? `${status} ${body.slice(0, 120)}` : String(status);
}

function unreachable(error: unknown, timeoutMs: number): string {
  // By name, not instanceof: fetch's DOMException and TypeError may come from another realm.
  const { name, message, cause } = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  return `unreachable (${cause?.code ?? cause?.message ?? message ?? String(error)})`;
}
