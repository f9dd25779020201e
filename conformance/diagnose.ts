import { body, header, type Recorded } from './exchange';

/**
 * Plain words for what a bank answered, and what that most likely means, for the root causes the
 * console and the reports print. Pure: reads a recorded exchange, nothing else.
 */

const oneLine = (s: string, max = 120) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
};

/** `400 invalid_request 'only application/json ...'`, `TLS: ECONNRESET ...`, `timed out after 15000 ms`. */
export function summarize(r: Recorded): string {
  if (r.status === 0) return r.timedOut ? `no answer within ${r.ms} ms (timed out)` : `no HTTP answer: ${oneLine(r.transportError ?? 'transport error')}`;
  const b = body(r);
  const ct = header(r, 'content-type') ?? '';
  const rule = header(r, 'x-dcr-rule');
  const parts = [String(r.status)];
  if (typeof b.error === 'string') parts.push(b.error);
  if (typeof b.error_description === 'string') parts.push(`'${oneLine(b.error_description, 100)}'`);
  else if (Array.isArray(b.errors) || Array.isArray(b.tppMessages)) parts.push(oneLine(JSON.stringify(b.errors ?? b.tppMessages), 100));
  else if (typeof b.error !== 'string' && r.text) parts.push(/json/.test(ct) ? oneLine(r.text, 80) : `${ct || 'no content type'}: ${oneLine(r.text, 60)}`);
  else if (!r.text) parts.push('(no body)');
  if (rule) parts.push(`[x-dcr-rule ${rule}]`);
  return parts.join(' ');
}

/** What a refused control most likely means for the configuration or the bank. */
export function hintFor(r: Recorded, what: 'registration' | 'token' | 'management' | 'ssa'): string | undefined {
  const b = body(r);
  const text = `${typeof b.error_description === 'string' ? b.error_description : ''} ${typeof b.error === 'string' ? b.error : ''} ${r.json === undefined ? r.text.slice(0, 300) : ''}`.toLowerCase();
  const ct = (header(r, 'content-type') ?? '').toLowerCase();
  if (r.status === 0) {
    if (r.timedOut) return 'the bank did not answer in time: raise timeoutMs, or check that the endpoint is the API and not a proxy that holds the connection';
    if (/alert|bad_certificate|unknown_ca|econnreset|certificate/i.test(r.transportError ?? '')) return 'the TLS connection was refused: does the bank trust your transport certificate (issuer, validity)?';
    return 'the bank could not be reached on this endpoint';
  }
  if (r.status >= 500) return 'the bank failed with a server error on a request it should accept: look at its logs for this x-fapi-interaction-id';
  if (/html/.test(ct)) return 'the bank answered an HTML page, not JSON: is this the API endpoint, or a gateway or login page in front of it?';
  if (r.status === 404 || r.status === 405) return `the ${what} endpoint path may be wrong (${r.request.method} ${r.request.url}): check registration_endpoint / token_endpoint in discovery`;
  if (r.status === 415 || /json|content.?type|media type/.test(text)) {
    return /application\/json|json object|expects? json/.test(text) && what === 'registration'
      ? 'it may expect RFC 7591 JSON, not a signed JWT (OBIE DCR sends a JWS as application/jose or application/jwt)'
      : 'the bank refused the content type: set contentType (application/jose or application/jwt)';
  }
  if (what === 'registration' || what === 'ssa') {
    if (b.error === 'invalid_software_statement' || b.error === 'unapproved_software_statement' || /software.?statement|ssa/.test(text)) {
      return 'the bank refused the software statement: does it trust the directory that issued it (issuer, signing key, software_jwks_endpoint host)?';
    }
    if (b.error === 'invalid_redirect_uri') return 'the bank refused the redirect URIs: redirectUris must be https URIs listed in the SSA software_redirect_uris';
    if (/\baud\b|audience/.test(text)) return 'the bank refused the aud claim: set aud to the bank\'s id (its issuer or directory organisation id)';
    if (/scope/.test(text)) return 'the bank refused the scope: set scopeFormat or roles to what it supports';
    if (/token_endpoint_auth_method|auth.?method/.test(text)) return 'the bank refused the auth method: list the methods it supports, preferred first, in authMethods';
    if (/subject_dn|tls_client_auth_dn|\bdn\b/.test(text)) return 'the bank refused the subject DN: set subjectDn to the transport certificate subject as the bank expects it';
    if (/signature|kid|jwks|key/.test(text)) return 'the bank could not verify the request signature: does it fetch the software JWKS from the SSA software_jwks_endpoint?';
    if (r.status === 401 || r.status === 403) {
      return b.error === 'invalid_client'
        ? 'the bank does not accept your transport certificate (or wants another client authentication)'
        : 'POST /register may need credentials the target does not give (registrationClientId / registrationClientSecret, or headers)';
    }
    if (r.status >= 200 && r.status < 300) return 'the bank answered without a client_id: it may defer registration (e.g. by email) or return credentials in headers (credentialHeaders)';
  }
  if (what === 'token') {
    if (b.error === 'invalid_client') return 'the bank did not authenticate the new client at the token endpoint with the method it registered';
    if (b.error === 'unauthorized_client' || b.error === 'unsupported_grant_type') return 'the bank does not grant client_credentials to the new client';
    if (b.error === 'invalid_scope') return 'the bank refused the scope of the token request';
  }
  if (what === 'management' && (r.status === 401 || r.status === 403)) return 'the bank refused the client\'s own client_credentials token on /register/{ClientId}';
  return undefined;
}
