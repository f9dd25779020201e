import https from 'node:https';
import { createHash } from 'node:crypto';
import type { RequestOptions } from '../fixtures/https';

/**
 * Keep-alive connections for one run: one https.Agent per credential set (client certificate and
 * key, or none; the CA; whether the server certificate is checked). TLS client authentication
 * happens once per connection, so a request without a certificate, or with an untrusted one, must
 * never travel on a connection opened with the transport certificate: each set has its own agent,
 * hence its own sockets and its own TLS session cache.
 *
 * `destroy()` ends every connection at the end of the run; exchanges after it get a connection of
 * their own (no agent), as before keep-alive.
 */
export class AgentPool {
  private readonly agents = new Map<string, https.Agent>();
  private closed = false;

  /** The agent of this request's credential set, or undefined once the pool is destroyed. */
  for(opts: Pick<RequestOptions, 'client' | 'ca' | 'insecure'>): https.Agent | undefined {
    if (this.closed) return undefined;
    const id = credentialSet(opts);
    let agent = this.agents.get(id);
    if (!agent) {
      // lifo: the connection used last, the least likely to have been closed by the server while idle.
      agent = new https.Agent({ keepAlive: true, scheduling: 'lifo', maxCachedSessions: 10 });
      this.agents.set(id, agent);
    }
    return agent;
  }

  /** How many credential sets have had an agent (for tests). */
  get size(): number {
    return this.agents.size;
  }

  destroy(): void {
    this.closed = true;
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

/** The identity of a credential set: a digest of the certificate, key and CA PEMs. */
export function credentialSet(opts: Pick<RequestOptions, 'client' | 'ca' | 'insecure'>): string {
  const h = createHash('sha256');
  const part = (s: string | undefined) => h.update(`${s?.length ?? -1}:${s ?? ''}|`);
  part(opts.client?.cert);
  part(opts.client?.key);
  for (const ca of Array.isArray(opts.ca) ? opts.ca : [opts.ca]) part(ca);
  part(opts.insecure ? 'insecure' : 'verified');
  return h.digest('hex');
}
