import { DomainError } from '../../../common/errors/domain-error.js';

/**
 * Why the egress guard refused a sink's destination, as a stable code:
 * - `url_invalid`: not a URL at all;
 * - `scheme_not_allowed`: not https (or http outside production), or plain TCP in production;
 * - `credentials_in_url`: a user name or password in the URL (they would be stored and logged as the URL);
 * - `host_invalid`: the host is neither a host name nor an IP address;
 * - `address_not_allowed`: the host is, or resolves only to, an address in a special-purpose range
 *   (loopback, private, link-local, cloud metadata, …) that AUDIT_STREAM_EGRESS_ALLOW does not allow.
 */
export type EgressRefusal =
  'url_invalid' | 'scheme_not_allowed' | 'credentials_in_url' | 'host_invalid' | 'address_not_allowed';

/**
 * A sink destination the egress guard will not connect to. Thrown when a sink is saved and, from the
 * `lookup` it gives node:net, when a connection is opened. The message names the host and the rule, never
 * a credential or the rest of the URL.
 */
export class EgressRefusedError extends Error {
  /** Set like a node:net error code, so the refusal survives the socket's error path unchanged. */
  readonly code = 'ERR_EGRESS_REFUSED';

  constructor(
    readonly reason: EgressRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'EgressRefusedError';
  }

  /** The refusal as the API answers a save: 400 `validation_failed` naming the field and the rule. */
  toValidationError(field: string): DomainError {
    const message = `${this.message} (${this.reason})`;
    return new DomainError('validation_failed', message, { errors: [{ field, message }] });
  }
}
