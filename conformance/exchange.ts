import { httpsRequest, type HttpExchange, type RequestOptions } from '../fixtures/https';

/** One HTTP exchange as the checks see it. A transport failure (TLS refused, reset) is status 0. */
export interface Recorded extends HttpExchange {
  name: string;
  transportError?: string;
  /** For a registration: the client it created, as the pack read it (body or declared credential headers). */
  clientId?: string;
  /** The exchange hit timeoutMs (the bank did not answer in time). */
  timedOut?: boolean;
  /** What the plan sent or expects, for checks that compare (claims, client ids ...). */
  sent: Record<string, unknown>;
}

const SECRET_HEADERS = new Set(['authorization']);

function redact(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADERS.has(k.toLowerCase()) && v.length > 12 ? `${v.slice(0, 12)}...` : v]));
}

/** Request headers as sent: an undefined value means the header was left out. */
function definedHeaders(headers: Record<string, string | undefined> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Performs and records one exchange; a transport failure is recorded, not thrown. */
export async function record(name: string, url: string, opts: RequestOptions, sent: Record<string, unknown> = {}): Promise<Recorded> {
  const started = Date.now();
  try {
    const ex = await httpsRequest(url, opts);
    return { name, ...ex, request: { ...ex.request, headers: redact(ex.request.headers) }, sent };
  } catch (e) {
    return {
      name,
      request: { method: opts.method ?? 'GET', url, headers: redact(definedHeaders(opts.headers)), ...(opts.body !== undefined ? { body: opts.body } : {}) },
      status: 0,
      headers: {},
      text: '',
      json: undefined,
      ms: Date.now() - started,
      transportError: `${(e as NodeJS.ErrnoException).code ?? 'ERROR'}: ${(e as Error).message}`,
      ...((e as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? { timedOut: true } : {}),
      sent,
    };
  }
}

/** The JSON body as an object, or an empty one. */
export function body(r: Recorded): Record<string, unknown> {
  return typeof r.json === 'object' && r.json !== null && !Array.isArray(r.json) ? (r.json as Record<string, unknown>) : {};
}

export function header(r: Recorded, name: string): string | undefined {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Says in plain words what a transport failure most likely means for a DCR client. */
export function explainTransportError(error: string, url: string, withCertificate: boolean): string {
  const e = error.trim();
  if (/CERTIFICATE_REQUIRED/.test(e)) return `${url} requires a client certificate at the TLS layer (discovery must be reachable without one): ${e}`;
  if (/UNABLE_TO_VERIFY|SELF_SIGNED|CERT_HAS_EXPIRED|ALTNAME|UNABLE_TO_GET_ISSUER/.test(e)) {
    return `the server certificate of ${url} could not be verified; set ca to the bank's CA (or insecure: true for a sandbox): ${e}`;
  }
  if (withCertificate && /ECONNRESET|alert|BAD_CERTIFICATE|UNKNOWN_CA/i.test(e)) {
    return `${url} refused the TLS connection with the transport certificate (is it issued by a CA the bank trusts, and still valid?): ${e}`;
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|timed out/.test(e)) return `nothing answers at ${url}: ${e}`;
  return `${url}: ${e}`;
}

export interface RegisteredClient {
  clientId: string;
  secret?: string;
  /** token_endpoint_auth_method: as answered, else as the pack registered it. */
  method: string;
}

/**
 * The client a registration created: from its RFC 7591 JSON body, or, for a bank that answers
 * 201 without one, from the response headers the target declares (e.g. x-client-id).
 */
export function registeredClient(r: Recorded, credentialHeaders?: { clientId: string; clientSecret?: string }): RegisteredClient {
  const b = body(r);
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const clientId = text(b.client_id) ?? (credentialHeaders ? header(r, credentialHeaders.clientId) : undefined) ?? '';
  const secret = text(b.client_secret) ?? (credentialHeaders?.clientSecret ? header(r, credentialHeaders.clientSecret) : undefined);
  const method = text(b.token_endpoint_auth_method) ?? text(r.sent.authMethod) ?? '';
  return { clientId, ...(secret ? { secret } : {}), method };
}
