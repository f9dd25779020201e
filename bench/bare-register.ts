/**
 * The baseline of bench/register.ts: a bare node:https + node:crypto registration server doing
 * the work a POST /register needs, and nothing more: mTLS (a trusted client certificate), the
 * body read within a cap, the request JWS and its SSA decoded once and each signature verified
 * (the directory's key and the software key imported once, as a warm cache would hold them), the
 * SSA's issuer and validity, the request's aud, exp and jti (replays refused), the client stored
 * in a Map, and a 201 with the client's metadata (the SSA included, as OBIE answers it).
 */
import { createPublicKey, constants, randomBytes, randomUUID, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { JWK } from 'jose';
import { answer, listenBare, readBody, refuse, type BareTls } from './bare';

export interface BareRegisterOptions {
  tls: BareTls;
  /** The directory's issuer and its signing key. */
  directory: { issuer: string; jwk: JWK };
  /** The software key of the TPP, by kid. */
  softwareJwk: JWK;
  audience: string;
}

interface Jws { header: Record<string, unknown>; payload: Record<string, unknown>; input: Buffer; signature: Buffer }

function decode(compact: string): Jws {
  const parts = compact.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const json = (p: string) => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: json(parts[0]!), payload: json(parts[1]!), input: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2]!, 'base64url') };
}

const verified = (jws: Jws, key: KeyObject | undefined) =>
  key !== undefined && jws.header.alg === 'PS256' && verify('sha256', jws.input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, jws.signature);

export async function startBareRegister(opts: BareRegisterOptions): Promise<{ port: number; clients: Map<string, unknown>; close(): Promise<void> }> {
  const directoryKey = createPublicKey({ key: opts.directory.jwk as JsonWebKey, format: 'jwk' });
  const softwareKeys = new Map([[opts.softwareJwk.kid, createPublicKey({ key: opts.softwareJwk as JsonWebKey, format: 'jwk' })]]);
  const clients = new Map<string, unknown>();
  const jtis = new Set<string>();
  const server = await listenBare(opts.tls, (req, res) => {
    if (req.method !== 'POST' || req.url !== '/register') return refuse(res, 404, 'not_found');
    if (!(req.socket as TLSSocket).authorized) return refuse(res, 401, 'invalid_client');
    readBody(req, (body) => {
      try {
        const request = decode(body.trim());
        const ssa = decode(String(request.payload.software_statement));
        const now = Math.floor(Date.now() / 1000);
        if (ssa.payload.iss !== opts.directory.issuer || !verified(ssa, directoryKey)) return refuse(res, 400, 'invalid_software_statement');
        if (typeof ssa.payload.exp === 'number' && ssa.payload.exp < now) return refuse(res, 400, 'invalid_software_statement');
        if (!verified(request, softwareKeys.get(request.header.kid as string))) return refuse(res, 400, 'invalid_client_metadata');
        const { aud, exp, jti, iss } = request.payload;
        if (aud !== opts.audience || typeof exp !== 'number' || exp < now || typeof jti !== 'string') return refuse(res, 400, 'invalid_client_metadata');
        const once = `${String(iss)}:${jti}`;
        if (jtis.has(once)) return refuse(res, 400, 'invalid_client_metadata');
        jtis.add(once);
        const { iat: _iat, exp: _exp, aud: _aud, jti: _jti, iss: _iss, ...metadata } = request.payload;
        const client = { client_id: randomUUID(), client_secret: randomBytes(24).toString('base64url'), client_id_issued_at: now, ...metadata, software_id: ssa.payload.software_id };
        clients.set(client.client_id, client);
        answer(res, 201, client);
      } catch {
        refuse(res, 400, 'invalid_request');
      }
    });
  });
  return { ...server, clients };
}
