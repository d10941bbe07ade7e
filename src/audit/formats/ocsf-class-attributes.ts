import type { AuditEventView } from '../queries/list-audit-events.query.js';
import type { ActionMapping } from './action-mappings.js';
import { amrIsMfa, authFactorOf, methodsIn } from './auth-factors.js';
import { sessionIdOf } from './event-facts.js';
import { ACCOUNT_CLASS, AUTHENTICATION, ENTITY_MANAGEMENT, WEB_RESOURCE_ACCESS } from './ocsf-classes.js';
import { entityOf, userOf } from './ocsf-subjects.js';
import { pruned } from './pruned.js';

/** The attributes of the action's OCSF class (its required ones first of all). */
export function classAttributes(mapping: ActionMapping, e: AuditEventView): Record<string, unknown> {
  switch (mapping.ocsf.class) {
    case AUTHENTICATION: {
      const sessionId = sessionIdOf(e);
      return pruned({
        user: userOf(e),
        // The class asks for a service or a destination endpoint: the service signed into is Stepguard.
        service: { name: 'Stepguard' },
        is_mfa: mapping.ocsf.mfa ?? amrIsMfa(e.details),
        auth_factors: authFactors(mapping, e),
        session: sessionId === null ? undefined : { uid: sessionId },
      });
    }
    case ACCOUNT_CLASS:
      return pruned({ user: userOf(e), auth_factors: authFactors(mapping, e) });
    case ENTITY_MANAGEMENT:
      return { entity: entityOf(e) };
    case WEB_RESOURCE_ACCESS:
      return webAccess(e);
    default:
      return {};
  }
}

function authFactors(mapping: ActionMapping, e: AuditEventView) {
  const methods = mapping.ocsf.factor ? [mapping.ocsf.factor] : methodsIn(e.details);
  return methods.length ? methods.map(authFactorOf) : undefined;
}

/** The refused request: `resource` is `METHOD /path` for an HTTP request (else e.g. `socket`). */
function webAccess(e: AuditEventView) {
  const resource = typeof e.details['resource'] === 'string' ? e.details['resource'] : 'unknown';
  const request = /^([A-Z]+) (\/\S*)$/.exec(resource);
  return {
    http_request: pruned({
      http_method: request?.[1],
      url: request ? { path: request[2] } : undefined,
      user_agent: e.userAgent ?? undefined,
    }),
    web_resources: [{ name: resource }],
  };
}
