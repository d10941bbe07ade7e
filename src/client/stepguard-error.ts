/** A refusal from Stepguard: `code` is the stable problem code (or the `connect_error` message) to branch on. */
export class StepguardError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'StepguardError';
  }
}

/** The RFC 9457 problem of a failed response, as an error. */
export async function problemOf(response: Response): Promise<StepguardError> {
  const body = (await response.json().catch(() => ({}))) as { code?: unknown; detail?: unknown; title?: unknown };
  const code = typeof body.code === 'string' ? body.code : `http_${response.status}`;
  const detail = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : code;
  return new StepguardError(code, detail, response.status);
}
