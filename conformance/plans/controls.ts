import { body, type Recorded } from '../exchange';
import { summarize } from '../diagnose';
import type { Session } from '../session';

/**
 * Acceptance of the exchanges other steps build on (their positive controls and prerequisites):
 * undefined when accepted, else why not, in plain words.
 */

/** A registration that created a client: 2xx and a client_id (in the body or the declared headers). */
export function clientRegistered(r: Recorded, s: Session): string | undefined {
  if (r.status < 200 || r.status >= 300) return `answered ${summarize(r)}`;
  return s.registered(r).clientId ? undefined : `answered ${r.status} without a client_id`;
}

/** A token request that issued an access token. */
export function tokenIssued(r: Recorded): string | undefined {
  if (r.status !== 200) return `answered ${summarize(r)}`;
  return typeof body(r).access_token === 'string' && body(r).access_token !== '' ? undefined : 'answered 200 without an access_token';
}

/** An exchange answered with one of these statuses. */
export const answeredWith = (...statuses: number[]) => (r: Recorded): string | undefined =>
  statuses.includes(r.status) ? undefined : `expected ${statuses.join(' or ')}, answered ${summarize(r)}`;
