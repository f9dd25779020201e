import https from 'node:https';
import { createHash } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { RequestOptions } from '../fixtures/https';

/**
 * Keep-alive connections for one run: one https.Agent per credential set (client certificate and
 * key, or none; the CA; whether the server certificate is checked). TLS client authentication
 * happens once per connection, so a request without a certificate, or with an untrusted one, must
 * never travel on a connection opened with the transport certificate: each set has its own agent,
 * hence its own sockets and its own TLS session cache.
 *
 * Each set's TLS context (its CA, certificate and key, parsed) is made once, not once per
 * connection; its sessions are resumed on the agent's later connections (the agent's own cache).
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
      agent = withContext(new https.Agent({ keepAlive: true, scheduling: 'lifo', maxCachedSessions: 10 }), opts);
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

type Connect = (options: Record<string, unknown>, callback?: (err: Error | null, socket: Duplex) => void) => Duplex;

/**
 * The agent's connections made with one TLS context for the credential set, parsed once. A
 * certificate or key OpenSSL cannot load makes no context: each request then fails on it as before
 * (https.request throws, the exchange is recorded as a transport failure).
 */
function withContext(agent: https.Agent, opts: Pick<RequestOptions, 'client' | 'ca'>): https.Agent {
  let context: SecureContext | null | undefined;
  const made = (): SecureContext | undefined => {
    if (context === undefined) {
      try {
        context = createSecureContext({ ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.client ? { cert: opts.client.cert, key: opts.client.key } : {}) });
      } catch {
        context = null;
      }
    }
    return context ?? undefined;
  };
  const a = agent as unknown as { createConnection: Connect };
  const connect = a.createConnection.bind(agent);
  a.createConnection = (options, callback) => {
    const secureContext = made();
    return connect(secureContext ? { ...options, secureContext } : options, callback);
  };
  return agent;
}
