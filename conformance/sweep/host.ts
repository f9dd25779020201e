import type { Recorded } from '../exchange';
import { sharedHostOnly, type Session } from '../session';
import type { HostHit, JwksHost } from '../jwks-host';
import { evidenceOf, fail, pass, type Verdict } from '../rules/define';
import { refusalVerdict } from '../rules/refusal';

/**
 * Rows that name the pack's own host (conformance/jwks-host.ts) in the request they change: a key
 * set (jku), a certificate (x5u) or a software JWKS the directory never vouched for. The row puts its
 * document on the host, the request is sent, and what reached the host meanwhile is kept with the
 * record; the verdict fails an acceptance, and a refusal too when the bank connected to the host at
 * all. Each row has a host of its own (its own loopback port), so rows may run side by side; when
 * the target fixes one host for the run (jwksHostBind / jwksHostUrl), what reached it is read by
 * time, and the rows are sent alone (`hostRowAlone`).
 */

/** A row naming the pack's host is sent alone only when the run has one host for all (its record then read by time). */
export const hostRowAlone = (s: Session): boolean => sharedHostOnly(s.target);

/** Waits this long after the answer for a connection still on its way (a bank fetching after it answered). */
const STRAGGLER_MS = 150;

/** Has the row put its document on the pack's host, sends the request, and records what reached the host meanwhile. */
export async function viaHost<R>(s: Session, name: string, onHost: (host: JwksHost) => R | Promise<R>, send: (req: R) => Promise<Recorded>): Promise<Recorded> {
  const host = await s.jwksHost(true);
  const req = await onHost(host);
  const since = Date.now();
  const r = await send(req);
  await new Promise((resolve) => setTimeout(resolve, STRAGGLER_MS));
  return { ...r, sent: { ...r.sent, host: { origin: host.origin, seen: host.seen(since) } } };
}

/** What reached the pack's host during a row (none when the row did not use it). */
const hostSeen = (r: Recorded): HostHit[] => ((r.sent.host as { seen?: HostHit[] } | undefined)?.seen ?? []);

/**
 * The verdict of a row naming the pack's host: accepted fails; a refusal fails too when the bank
 * connected to the host at all (it went for keys the directory never vouched for); a refusal
 * without a connection is judged as any refusal (with the row's error codes).
 */
export function hostVerdict(what: string, errors: readonly string[]): (r: Recorded) => Verdict {
  return (r) => {
    const seen = hostSeen(r);
    const origin = String((r.sent.host as { origin?: string } | undefined)?.origin ?? 'the pack\'s host');
    const requests = seen.filter((h) => h.kind === 'request').map((h) => `${h.method} ${h.path}`);
    const contact = { connections: seen.filter((h) => h.kind === 'connection').length, requests };
    if (r.status >= 200 && r.status < 300) {
      return fail(`the bank registered the client with ${what} on ${origin}, a host of the pack's own, not the directory's${requests.length ? ` (it fetched ${requests.join(', ')})` : ''}`, evidenceOf(r, { expected: 'a refusal, without contacting the host', actual: contact }));
    }
    if (seen.length) {
      return fail(`the bank refused, but first connected to ${origin}, a host of the pack's own named by ${what} (${contact.connections} connection(s)${requests.length ? `, ${requests.join(', ')}` : ''}): keys come only from the JWKS agreed with the directory`, evidenceOf(r, { expected: 'no connection to the host', actual: contact }));
    }
    const v = refusalVerdict(r, errors);
    return v.outcome === 'pass' ? pass(v.evidence, `refused without contacting ${origin}`) : v;
  };
}
