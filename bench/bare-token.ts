/**
 * The baseline of bench/token.ts: a bare node:https + node:crypto token endpoint doing the work of
 * a client_credentials grant with private_key_jwt, and nothing more: mTLS (a trusted client
 * certificate, its thumbprint worked out once per connection for the token binding), the form
 * read within a cap, the client looked up, its assertion decoded once and verified with its key
 * (imported once), iss/sub/aud/exp/jti checked (replays refused), a random token whose hash is
 * stored, bound to the certificate (RFC 8705), and the JSON answer, no-store.
 */
import { createHash, createPublicKey, constants, randomBytes, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { JWK } from 'jose';
import { answer, listenBare, readBody, refuse, type BareTls } from './bare';

export interface BareTokenOptions {
  tls: BareTls;
  /** The registered client and its software key. */
  client: { client_id: string; jwk: JWK };
  audience: string;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const thumbprints = new WeakMap<object, string>();

export async function startBareToken(opts: BareTokenOptions): Promise<{ port: number; tokens: Map<string, unknown>; close(): Promise<void> }> {
  const keys = new Map<string, KeyObject>([[opts.client.client_id, createPublicKey({ key: opts.client.jwk as JsonWebKey, format: 'jwk' })]]);
  const tokens = new Map<string, unknown>();
  const jtis = new Set<string>();
  const server = await listenBare(opts.tls, (req, res) => {
    if (req.method !== 'POST' || req.url !== '/token') return refuse(res, 404, 'not_found');
    const socket = req.socket as TLSSocket;
    if (!socket.authorized) return refuse(res, 401, 'invalid_client');
    let thumbprint = thumbprints.get(socket);
    if (thumbprint === undefined) {
      thumbprint = createHash('sha256').update(socket.getPeerX509Certificate()!.raw).digest('base64url');
      thumbprints.set(socket, thumbprint);
    }
    readBody(req, (body) => {
      try {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_assertion_type') !== ASSERTION_TYPE) return refuse(res, 400, 'invalid_request');
        const parts = String(form.get('client_assertion')).split('.');
        if (parts.length !== 3) return refuse(res, 401, 'invalid_client');
        const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
        const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
        const key = keys.get(String(claims.iss));
        const ok = key !== undefined && header.alg === 'PS256' &&
          verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(parts[2]!, 'base64url'));
        const now = Math.floor(Date.now() / 1000);
        if (!ok || claims.sub !== claims.iss || claims.aud !== opts.audience || typeof claims.exp !== 'number' || claims.exp < now || typeof claims.jti !== 'string') return refuse(res, 401, 'invalid_client');
        const once = `${String(claims.iss)}:${claims.jti}`;
        if (jtis.has(once)) return refuse(res, 401, 'invalid_client');
        jtis.add(once);
        const token = randomBytes(32).toString('base64url');
        const scope = form.get('scope') ?? 'accounts';
        tokens.set(createHash('sha256').update(token).digest('base64url'), { client_id: claims.iss, scope, expires_at: now + 3600, cnf: { 'x5t#S256': thumbprint } });
        answer(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600, scope }, { 'cache-control': 'no-store', pragma: 'no-cache' });
      } catch {
        refuse(res, 400, 'invalid_request');
      }
    });
  });
  return { ...server, tokens };
}
