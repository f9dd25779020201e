import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { JWK, JSONWebKeySet, CryptoKey } from 'jose';
import { loadJose } from '../lazy';
import type { Faker } from '@faker-js/faker';
import { InvalidRequest } from '../errors';
import { makeFaker, makeIdentity } from './identity';

/** Public JWK members by key type; anything else (d, p, q, k, ...) is private material. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['kty', 'n', 'e', 'kid', 'use', 'alg', 'key_ops', 'x5c', 'x5t', 'x5t#S256', 'x5u'],
  EC: ['kty', 'crv', 'x', 'y', 'kid', 'use', 'alg', 'key_ops', 'x5c', 'x5t', 'x5t#S256', 'x5u'],
  OKP: ['kty', 'crv', 'x', 'kid', 'use', 'alg', 'key_ops'],
};

export const ROLES = ['AISP', 'PISP', 'CBPII', 'ASPSP'] as const;
const BASE62_ID = /^[0-9a-zA-Z]{1,22}$/;
const MAX_KEYS = 10;

export interface MintInput {
  software_id?: string;
  org_id?: string;
  org_name?: string;
  software_client_name?: string;
  software_redirect_uris?: string[];
  software_roles?: string[];
  /** The software's public JWKS; hosted by the directory and named in software_jwks_endpoint. */
  jwks?: JSONWebKeySet;
  /** Override validity for negative tests: seconds since epoch, or null for an SSA without exp. */
  iat?: number;
  exp?: number | null;
  /**
   * Another issuer name, signed with this directory's key: an SSA a bank must refuse, because its
   * iss is not the directory that signed it (the pack's SSA-OTHER-ISS-REAL-KEY probe). A bank
   * trusting this directory looks its key up by issuer, so nothing else is weakened.
   */
  iss?: string;
  [claim: string]: unknown;
}

export interface MintResult {
  software_statement: string;
  software_id: string;
  org_id: string;
  software_jwks_endpoint: string;
  claims: Record<string, unknown>;
  /** Only when the directory generated the software signing key: the private JWK, given out once. */
  signing_key?: JWK;
}

export interface DirectoryOptions {
  issuer: string;
  signingKey: JWK;
  /** Public base URL of the directory, e.g. https://localhost:8443/directory */
  baseUrl: string;
  seed?: number;
  /** Most software JWKS kept; the oldest is dropped past this. */
  maxSoftware?: number;
  /** Default SSA lifetime in seconds. */
  ssaLifetimeSeconds?: number;
  /** A JSON file keeping the hosted software JWKS (public keys only) across restarts. */
  softwareFile?: string;
}

function fail(field: string, why: string): never {
  throw new InvalidRequest(`${field}: ${why}`);
}

/** Validates a caller-provided JWKS: 1..10 public keys with a kid, no private members. */
export function checkPublicJwks(value: unknown, field = 'jwks'): JSONWebKeySet {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as JSONWebKeySet).keys)) {
    fail(field, 'must be an object with a "keys" array');
  }
  const keys = (value as JSONWebKeySet).keys;
  if (keys.length === 0 || keys.length > MAX_KEYS) fail(field, `must hold 1 to ${MAX_KEYS} keys`);
  return {
    keys: keys.map((k, i) => {
      if (typeof k !== 'object' || k === null || typeof k.kty !== 'string') fail(`${field}.keys[${i}]`, 'is not a JWK');
      const allowed = PUBLIC_MEMBERS[k.kty];
      if (!allowed) fail(`${field}.keys[${i}].kty`, `unsupported key type "${k.kty}"`);
      const priv = Object.keys(k).filter((m) => !allowed.includes(m));
      if (priv.includes('d') || priv.includes('k')) fail(`${field}.keys[${i}]`, 'holds private key material; send only public keys');
      if (typeof k.kid !== 'string' || !k.kid) fail(`${field}.keys[${i}].kid`, 'is required');
      return Object.fromEntries(Object.entries(k).filter(([m]) => allowed.includes(m))) as JWK;
    }),
  };
}

function stringArray(value: unknown, field: string, each?: (v: string) => boolean, why?: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
    fail(field, 'must be a non-empty array of strings');
  }
  const bad = each ? (value as string[]).find((v) => !each(v)) : undefined;
  if (bad !== undefined) fail(field, `${JSON.stringify(bad)} ${why}`);
  return value as string[];
}

/**
 * The built-in mock directory, like the OB Directory: it signs SSAs with its PS256 key and
 * hosts the JWKS of the software it issued statements for.
 */
export class MockDirectory {
  readonly issuer: string;
  readonly baseUrl: string;
  private readonly signingJwk: JWK;
  private signingKey: CryptoKey | undefined;
  private faker: Promise<Faker> | undefined;
  private readonly seed: number | undefined;
  private readonly software = new Map<string, JSONWebKeySet>();
  private readonly maxSoftware: number;
  private readonly ssaLifetime: number;

  constructor(opts: DirectoryOptions) {
    if (!opts.signingKey.d || !opts.signingKey.kid) throw new Error('directory signing key must be a private JWK with a kid');
    this.issuer = opts.issuer;
    this.baseUrl = opts.baseUrl.replace(/\/$/, '');
    this.signingJwk = opts.signingKey;
    this.seed = opts.seed;
    this.maxSoftware = opts.maxSoftware ?? 10_000;
    this.ssaLifetime = opts.ssaLifetimeSeconds ?? 365 * 86_400;
    this.softwareFile = opts.softwareFile;
    if (this.softwareFile && existsSync(this.softwareFile)) {
      try {
        const saved = JSON.parse(readFileSync(this.softwareFile, 'utf8')) as Record<string, unknown>;
        for (const [id, jwks] of Object.entries(saved)) this.software.set(id, checkPublicJwks(jwks, id));
      } catch {
        // An unreadable file is started afresh; it is rewritten on the next mint.
      }
    }
  }

  private readonly softwareFile: string | undefined;

  get kid(): string {
    return this.signingJwk.kid!;
  }

  /** The directory's public signing keys. */
  jwks(): JSONWebKeySet {
    const { kty, n, e, kid } = this.signingJwk;
    return { keys: [{ kty, n, e, kid, alg: 'PS256', use: 'sig' } as JWK] };
  }

  softwareJwksUrl(softwareId: string): string {
    return `${this.baseUrl}/software/${encodeURIComponent(softwareId)}/jwks`;
  }

  softwareJwks(softwareId: string): JSONWebKeySet | undefined {
    return this.software.get(softwareId);
  }

  /** In-process resolution of a software_jwks_endpoint this directory hosts. */
  resolveJwksUrl(url: string): JSONWebKeySet | undefined {
    const prefix = `${this.baseUrl}/software/`;
    if (!url.startsWith(prefix) || !url.endsWith('/jwks')) return undefined;
    const id = decodeURIComponent(url.slice(prefix.length, -'/jwks'.length));
    return this.software.get(id);
  }

  /** Adds keys to a software's JWKS (a software may hold several); the newest MAX_KEYS stay. */
  private host(softwareId: string, jwks: JSONWebKeySet) {
    const kids = new Set(jwks.keys.map((k) => k.kid));
    const previous = (this.software.get(softwareId)?.keys ?? []).filter((k) => !kids.has(k.kid));
    this.software.delete(softwareId);
    this.software.set(softwareId, { keys: [...previous, ...jwks.keys].slice(-MAX_KEYS) });
    while (this.software.size > this.maxSoftware) {
      const oldest = this.software.keys().next().value as string;
      this.software.delete(oldest);
    }
    if (this.softwareFile) writeFileSync(this.softwareFile, JSON.stringify(Object.fromEntries(this.software)));
  }

  async mint(raw: unknown = {}): Promise<MintResult> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidRequest('body must be a JSON object');
    const input = raw as MintInput;
    const f = await (this.faker ??= makeFaker(this.seed));
    const id = makeIdentity(f);

    const software_id = input.software_id ?? id.software_id;
    if (typeof software_id !== 'string' || !BASE62_ID.test(software_id)) fail('software_id', 'must be 1 to 22 Base62 characters');
    const org_id = input.org_id ?? id.org_id;
    if (typeof org_id !== 'string' || !/^[0-9a-zA-Z]{1,18}$/.test(org_id)) fail('org_id', 'must be 1 to 18 Base62 characters');
    for (const field of ['org_name', 'software_client_name'] as const) {
      if (input[field] !== undefined && typeof input[field] !== 'string') fail(field, 'must be a string');
    }
    const redirectUris =
      input.software_redirect_uris === undefined
        ? [`https://${f.internet.domainName()}/callback`]
        : stringArray(input.software_redirect_uris, 'software_redirect_uris', (u) => URL.canParse(u), 'is not an absolute URI');
    const roles =
      input.software_roles === undefined
        ? ['AISP', 'PISP', 'CBPII']
        : stringArray(input.software_roles, 'software_roles', (r) => (ROLES as readonly string[]).includes(r), `is not one of ${ROLES.join(', ')}`);
    const now = Math.floor(Date.now() / 1000);
    const iat = input.iat ?? now;
    if (!Number.isInteger(iat)) fail('iat', 'must be an integer');
    const exp = input.exp === undefined ? iat + this.ssaLifetime : input.exp;
    const iss = input.iss ?? this.issuer;
    if (typeof iss !== 'string' || iss.length < 1 || iss.length > 256) fail('iss', 'must be a string of 1 to 256 characters');
    if (exp !== null && !Number.isInteger(exp)) fail('exp', 'must be an integer or null');

    let signing_key: JWK | undefined;
    let jwks: JSONWebKeySet;
    if (input.jwks !== undefined) {
      jwks = checkPublicJwks(input.jwks);
    } else {
      const { generateKeyPair, exportJWK, calculateJwkThumbprint } = await loadJose();
      const { privateKey, publicKey } = await generateKeyPair('PS256', { modulusLength: 2048, extractable: true });
      const pub = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(pub);
      jwks = { keys: [{ ...pub, kid, alg: 'PS256', use: 'sig' }] };
      signing_key = { ...(await exportJWK(privateKey)), kid, alg: 'PS256', use: 'sig' };
    }

    const {
      software_id: _s, org_id: _o, software_redirect_uris: _r, software_roles: _ro, jwks: _j,
      iat: _i, exp: _e, iss: _iss, ...extra
    } = input;
    const orgName = input.org_name ?? id.org_name;
    const software_jwks_endpoint = this.softwareJwksUrl(software_id);
    const claims: Record<string, unknown> = {
      iss,
      iat,
      ...(exp === null ? {} : { exp }),
      jti: randomUUID(),
      software_environment: 'sandbox',
      software_mode: 'Test',
      software_id,
      software_client_id: software_id,
      software_client_name: input.software_client_name ?? id.software_client_name,
      software_client_description: f.company.catchPhrase(),
      software_version: '1.0',
      software_client_uri: new URL(redirectUris[0]!).origin,
      software_redirect_uris: redirectUris,
      software_roles: roles,
      organisation_competent_authority_claims: {
        authority_id: 'FCAGBR',
        registration_id: String(f.number.int({ min: 100000, max: 999999 })),
        status: 'Active',
        authorisations: [{ member_state: 'GB', roles }],
      },
      software_logo_uri: `${new URL(redirectUris[0]!).origin}/logo.png`,
      org_status: 'Active',
      org_id,
      org_name: orgName,
      org_contacts: [
        { name: 'Technical', email: f.internet.email({ provider: 'example.com' }), phone: f.phone.number({ style: 'international' }), type: 'Technical' },
        { name: 'Business', email: f.internet.email({ provider: 'example.com' }), phone: f.phone.number({ style: 'international' }), type: 'Business' },
      ],
      org_jwks_endpoint: `${this.baseUrl}/org/${org_id}/jwks`,
      org_jwks_revoked_endpoint: `${this.baseUrl}/org/${org_id}/revoked/jwks`,
      software_jwks_endpoint,
      software_jwks_revoked_endpoint: `${this.baseUrl}/software/${software_id}/revoked/jwks`,
      software_policy_uri: `${new URL(redirectUris[0]!).origin}/policy`,
      software_tos_uri: `${new URL(redirectUris[0]!).origin}/tos`,
      software_on_behalf_of_org: orgName,
      ...extra,
    };

    const { importJWK, SignJWT } = await loadJose();
    this.signingKey ??= (await importJWK(this.signingJwk, 'PS256')) as CryptoKey;
    const software_statement = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'PS256', kid: this.kid, typ: 'JWT' })
      .sign(this.signingKey);
    this.host(software_id, jwks);
    return { software_statement, software_id, org_id, software_jwks_endpoint, claims, ...(signing_key ? { signing_key } : {}) };
  }
}
