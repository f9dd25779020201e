import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { JWK, JSONWebKeySet } from 'jose';
import { AccessDenied, InvalidRequest, OAuthError, RuleViolation, TemporarilyUnavailable } from '../errors';
import type { Logger } from '../logger';
import { makeIdentity, softwareId } from './identity';
import { DirectorySigner, generateSoftwareKey, mintInput, type MintInputBase, type SignerOptions } from './signer';

/** Public JWK members by key type; anything else (d, p, q, k, ...) is private material. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['kty', 'n', 'e', 'kid', 'use', 'alg', 'key_ops', 'x5c', 'x5t', 'x5t#S256', 'x5u'],
  EC: ['kty', 'crv', 'x', 'y', 'kid', 'use', 'alg', 'key_ops', 'x5c', 'x5t', 'x5t#S256', 'x5u'],
  OKP: ['kty', 'crv', 'x', 'kid', 'use', 'alg', 'key_ops'],
};
/** The members that make a public key what it is: two JWKs with the same ones are the same key. */
const KEY_MATERIAL: Record<string, readonly string[]> = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'] };

export const ROLES = ['AISP', 'PISP', 'CBPII', 'ASPSP'] as const;
const BASE62_ID = /^[0-9a-zA-Z]{1,22}$/;
/** Keys one mint may send in `jwks`. */
const MAX_KEYS_PER_MINT = 10;

/** The directory's limits: see docs/directory.md. */
export const DIRECTORY_LIMITS = {
  /** Software ids the directory holds; never forgotten (a forgotten id could be claimed by someone else). */
  maxSoftware: 1000,
  /** Keys hosted per software; a key still named by a live SSA is never evicted to make room. */
  maxKeysPerSoftware: 32,
  /** Signing keys generated at once (mints without jwks); more wait in the queue. */
  keygenConcurrency: 1,
  /** Mints waiting for a key generation slot; beyond it: 429 with Retry-After (load, not an outage). */
  keygenQueue: 8,
  /** A key stays hosted this long past the exp of the last SSA naming it: banks tolerate clock skew. */
  keyGraceSeconds: 300,
  /** Changes are written to the software file at most this often (coalesced, off the request path). */
  persistDelayMs: 200,
} as const;

/** software_roles: OB roles (AISP, PISP, CBPII, ASPSP); jwks: hosted and named in software_jwks_endpoint. */
export interface MintInput extends MintInputBase {
  /** Override validity for negative tests: seconds since epoch, or null for an SSA without exp. */
  exp?: number | null;
  /**
   * Another issuer name, signed with this directory's key: an SSA a bank must refuse, because its
   * iss is not the directory that signed it (the pack's SSA-OTHER-ISS-REAL-KEY probe). A bank
   * trusting this directory looks its key up by issuer, so nothing else is weakened.
   */
  iss?: string;
}

export interface MintResult {
  software_statement: string;
  software_id: string;
  org_id: string;
  software_jwks_endpoint: string;
  claims: Record<string, unknown>;
  /** Only when the directory generated the software signing key: the private JWK, given out once. */
  signing_key?: JWK;
  /**
   * Only on the mint that created the software_id: the credential that owns it, given out once.
   * Later mints for this software_id need it (Authorization: Bearer) or the client certificate
   * the first mint presented.
   */
  software_secret?: string;
}

/**
 * Who asks for a mint over HTTP. Absent (an in-process call: the operator, a test) the caller may
 * mint for any software_id; present, only for a new one or one it owns.
 */
export interface MintCaller {
  /** x5t#S256 of the client certificate presented on the connection (proof of possession by TLS). */
  certThumbprint?: string;
  /** The software_secret sent as Authorization: Bearer. */
  softwareSecret?: string;
}

/** baseUrl: e.g. https://localhost:8443/directory */
export interface DirectoryOptions extends SignerOptions {
  /** Most software ids held; a mint for a new one past this is refused (503), none is forgotten. */
  maxSoftware?: number;
  /** Most keys hosted per software; past this, keys no live SSA names are evicted, else the mint is refused. */
  maxKeysPerSoftware?: number;
  /** Default SSA lifetime in seconds. */
  ssaLifetimeSeconds?: number;
  /** A JSON file keeping the hosted software (public keys, owners) across restarts. */
  softwareFile?: string;
  /** Software ids owned from the start by these client certificates (x5t#S256), e.g. the mock's own TPP. */
  owners?: Record<string, readonly string[]>;
  /** Algorithm of the keys generated for mints without jwks (ES256 is ~100x cheaper; PS256 where a profile refuses ES256). */
  generatedKeyAlg?: 'ES256' | 'PS256';
  keygenConcurrency?: number;
  keygenQueue?: number;
  logger?: Logger;
  /**
   * A shared store of the hosted software (STORE_URL, Redis): what it held at start (read by the
   * caller, in the software file's format), and a write awaited before a mint answers.
   */
  shared?: SharedSoftware;
}

/** The hosted software kept outside the process (Redis): loaded at start, each change written before the mint answers. */
export interface SharedSoftware {
  /** The saved software, as `{ version: 2, software: { id: record } }`. */
  initial: Record<string, unknown>;
  save(softwareId: string, record: Record<string, unknown>): Promise<void>;
  /** One software as saved now (another instance may have minted it since this one started). */
  load?(softwareId: string): Promise<Record<string, unknown> | undefined>;
}

interface HostedKey {
  jwk: JWK;
  /** The latest exp of the SSAs minted with this key; null: one of them has no exp (never expires). */
  exp: number | null;
}

interface SoftwareRecord {
  /** Client certificates (x5t#S256) that own this software_id. */
  certs: string[];
  /** SHA-256 (base64url) of the software_secret, when one was issued. */
  secretHash?: string;
  keys: HostedKey[];
}

function fail(field: string, why: string): never {
  throw new InvalidRequest(`${field}: ${why}`);
}

/** Validates a caller-provided JWKS: 1..10 public keys with a kid, no private members. */
export function checkPublicJwks(value: unknown, field = 'jwks', max = MAX_KEYS_PER_MINT): JSONWebKeySet {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as JSONWebKeySet).keys)) {
    fail(field, 'must be an object with a "keys" array');
  }
  const keys = (value as JSONWebKeySet).keys;
  if (keys.length === 0 || keys.length > max) fail(field, `must hold 1 to ${max} keys`);
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

function sameKey(a: JWK, b: JWK): boolean {
  return a.kty === b.kty && (KEY_MATERIAL[a.kty ?? ''] ?? []).every((m) => (a as Record<string, unknown>)[m] === (b as Record<string, unknown>)[m]);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function later(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.max(a, b);
}

const isoOf = (exp: number | null) => (exp === null ? 'never (an SSA without exp)' : new Date(exp * 1000).toISOString());

/**
 * At most `concurrency` tasks at once, `queue` more waiting; past that, refused at once with 429
 * Too Many Requests: the callers ask for more work than the directory does at once, nothing is
 * out of order (a 503 would say an outage). Retry-After is the time the tasks ahead should take,
 * from the average duration measured so far.
 */
class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** Mean duration of the tasks so far (ms), an exponential moving average; undefined before the first. */
  private meanMs: number | undefined;
  constructor(private readonly concurrency: number, private readonly queue: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        const ahead = this.active + this.waiting.length;
        const seconds = Math.max(1, Math.ceil(((this.meanMs ?? 1000) * ahead) / this.concurrency / 1000));
        throw new OAuthError(
          'temporarily_unavailable', 429,
          `too many mints without jwks at once: the directory is generating ${this.active} signing key(s) with ${this.waiting.length} more waiting ` +
            `(DIRECTORY_KEYGEN_CONCURRENCY, DIRECTORY_KEYGEN_QUEUE); retry after ${seconds} s, or send your own public jwks (no generation needed)`,
          { headers: { 'retry-after': String(seconds) } },
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    const start = performance.now();
    try {
      return await task();
    } finally {
      const ms = performance.now() - start;
      this.meanMs = this.meanMs === undefined ? ms : this.meanMs * 0.8 + ms * 0.2;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes on
      else this.active--;
    }
  }
}

/**
 * The built-in mock directory, like the OB Directory: it signs SSAs with its PS256 key and
 * hosts the JWKS of the software it issued statements for.
 *
 * A software_id belongs to its first registrant: the client certificate presented on the mint
 * that created it, and the software_secret that mint returned. Only they may mint again for it
 * (and so add keys to its hosted JWKS). Keys named by an SSA that has not expired are never
 * evicted; when none can make room the mint is refused. Rules and limits: docs/directory.md.
 */
export class MockDirectory extends DirectorySigner {
  private readonly records = new Map<string, SoftwareRecord>();
  private readonly maxSoftware: number;
  private readonly maxKeys: number;
  private readonly ssaLifetime: number;
  private readonly softwareFile: string | undefined;
  private readonly generatedKeyAlg: 'ES256' | 'PS256';
  private readonly keygen: Slots;
  private readonly logger: Logger | undefined;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private writes = 0;
  private readonly shared: SharedSoftware | undefined;

  constructor(opts: DirectoryOptions) {
    if (!opts.signingKey.d || !opts.signingKey.kid) throw new Error('directory signing key must be a private JWK with a kid');
    super(opts);
    this.maxSoftware = opts.maxSoftware ?? DIRECTORY_LIMITS.maxSoftware;
    this.maxKeys = Math.max(opts.maxKeysPerSoftware ?? DIRECTORY_LIMITS.maxKeysPerSoftware, MAX_KEYS_PER_MINT);
    this.ssaLifetime = opts.ssaLifetimeSeconds ?? 365 * 86_400;
    this.softwareFile = opts.softwareFile;
    this.generatedKeyAlg = opts.generatedKeyAlg ?? 'ES256';
    this.keygen = new Slots(opts.keygenConcurrency ?? DIRECTORY_LIMITS.keygenConcurrency, opts.keygenQueue ?? DIRECTORY_LIMITS.keygenQueue);
    this.logger = opts.logger;
    this.shared = opts.shared;
    if (this.shared) this.loadSaved(this.shared.initial, 'STORE_URL');
    else if (this.softwareFile && existsSync(this.softwareFile)) this.load(this.softwareFile);
    for (const [id, certs] of Object.entries(opts.owners ?? {})) {
      const record = this.records.get(id) ?? { certs: [], keys: [] };
      record.certs = [...new Set([...record.certs, ...certs])];
      this.records.set(id, record);
    }
  }

  /** Reads the software file: the current format, or the older `{ software_id: jwks }` one (owners unknown). */
  private load(file: string) {
    let saved: Record<string, unknown>;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      this.logger?.warn('directory software file unreadable; starting afresh (it is rewritten on the next mint)', { file });
      return;
    }
    this.loadSaved(saved, file);
  }

  private loadSaved(saved: Record<string, unknown>, file: string) {
    const now = Math.floor(Date.now() / 1000);
    const publicKey = (k: unknown, at: string) => checkPublicJwks({ keys: [k] }, at).keys[0]!;
    if (saved.version === 2 && typeof saved.software === 'object' && saved.software !== null) {
      for (const [id, raw] of Object.entries(saved.software as Record<string, Record<string, unknown>>)) {
        try {
          const keys = (Array.isArray(raw.keys) ? raw.keys : []).map((k: { jwk?: unknown; exp?: unknown }, i: number) => ({
            jwk: publicKey(k.jwk, `${id}.keys[${i}]`),
            exp: typeof k.exp === 'number' ? k.exp : null,
          }));
          const certs = Array.isArray(raw.certs) ? raw.certs.filter((c): c is string => typeof c === 'string') : [];
          this.records.set(id, { certs, keys, ...(typeof raw.secret_sha256 === 'string' ? { secretHash: raw.secret_sha256 } : {}) });
        } catch {
          this.logger?.warn('directory software file: an entry is malformed and was skipped', { file, software_id: id });
        }
      }
      return;
    }
    // The older format: keys without their SSAs' exp (kept for one default SSA lifetime) and no
    // owner, so no HTTP caller may mint for them again (the mock's own TPP is re-bound by `owners`).
    for (const [id, jwks] of Object.entries(saved)) {
      try {
        const keys = checkPublicJwks(jwks, id, Number.MAX_SAFE_INTEGER).keys.map((jwk) => ({ jwk, exp: now + this.ssaLifetime }));
        this.records.set(id, { certs: [], keys });
      } catch {
        this.logger?.warn('directory software file: an entry is malformed and was skipped', { file, software_id: id });
      }
    }
  }

  softwareJwksUrl(softwareId: string): string {
    return `${this.baseUrl}/software/${encodeURIComponent(softwareId)}/jwks`;
  }

  softwareJwks(softwareId: string): JSONWebKeySet | undefined {
    const record = this.records.get(softwareId);
    if (!record || record.keys.length === 0) return undefined;
    return { keys: record.keys.map((k) => k.jwk) };
  }

  /** The software id a software_jwks_endpoint of this directory names, or undefined for another URL. */
  private softwareIdOf(url: string): string | undefined {
    const prefix = `${this.baseUrl}/software/`;
    if (!url.startsWith(prefix) || !url.endsWith('/jwks')) return undefined;
    try {
      return decodeURIComponent(url.slice(prefix.length, -'/jwks'.length));
    } catch {
      throw new RuleViolation('JWKS-FETCH', `software_jwks_endpoint ${JSON.stringify(url.slice(0, 200))} holds a malformed %-escape`);
    }
  }

  /**
   * A software JWKS this directory hosts, read again from the shared store (STORE_URL) when this
   * instance does not hold it: another instance of the bank may have minted it since this one started.
   */
  async resolveShared(url: string): Promise<JSONWebKeySet | undefined> {
    const id = this.softwareIdOf(url);
    if (id === undefined || !this.shared?.load) return undefined;
    const saved = await this.shared.load(id);
    if (!saved) return undefined;
    this.loadSaved({ version: 2, software: { [id]: saved } }, 'STORE_URL');
    return this.softwareJwks(id);
  }

  /** In-process resolution of a software_jwks_endpoint this directory hosts. */
  resolveJwksUrl(url: string): JSONWebKeySet | undefined {
    const id = this.softwareIdOf(url);
    return id === undefined ? undefined : this.softwareJwks(id);
  }

  /** Whether the caller owns this existing software_id (its certificate or software_secret), as a mint would require. */
  owns(softwareId: string, caller: MintCaller): boolean {
    const record = this.records.get(softwareId);
    if (!record) return false;
    try {
      this.authorize(softwareId, record, caller);
      return true;
    } catch {
      return false;
    }
  }

  /** Refuses a caller that does not own an existing software_id (403, saying what would prove ownership). */
  private authorize(softwareId: string, record: SoftwareRecord, caller: MintCaller | undefined): void {
    if (!caller) return;
    if (caller.certThumbprint && record.certs.includes(caller.certThumbprint)) return;
    if (caller.softwareSecret !== undefined && record.secretHash) {
      const given = sha256(caller.softwareSecret);
      const held = Buffer.from(record.secretHash, 'base64url');
      if (given.length === held.length && timingSafeEqual(given, held)) return;
    }
    const proofs = [
      record.certs.length ? 'the client certificate that registered it' : undefined,
      record.secretHash ? 'its software_secret (Authorization: Bearer)' : undefined,
    ].filter(Boolean);
    const why =
      caller.softwareSecret !== undefined && record.secretHash ? 'the software_secret sent does not match'
      : caller.certThumbprint ? 'the client certificate presented is not the one that registered it'
      : 'no client certificate and no software_secret were presented';
    throw new AccessDenied(
      `software_id ${JSON.stringify(softwareId)} is registered with this directory by another party (${why}); ` +
        (proofs.length ? `minting for it needs ${proofs.join(' or ')}` : 'it was hosted before owners were recorded and cannot be minted for over HTTP') +
        '; to start afresh, mint for a new software_id',
    );
  }

  /** Checks, without changing anything, that the keys can be hosted for the software; answers the keys after the change. */
  private plan(softwareId: string, record: SoftwareRecord | undefined, jwks: JSONWebKeySet, exp: number | null, now: number): HostedKey[] {
    const live = (k: HostedKey) => k.exp === null || k.exp + DIRECTORY_LIMITS.keyGraceSeconds > now;
    const keys = (record?.keys ?? []).map((k) => ({ ...k }));
    const added = new Set<string>();
    for (const jwk of jwks.keys) {
      const kid = jwk.kid!;
      added.add(kid);
      const i = keys.findIndex((k) => k.jwk.kid === kid);
      if (i >= 0 && sameKey(keys[i]!.jwk, jwk)) {
        keys[i] = { jwk, exp: later(keys[i]!.exp, exp) };
      } else if (i >= 0 && live(keys[i]!)) {
        throw new OAuthError(
          'invalid_request', 409,
          `jwks: kid ${JSON.stringify(kid)} already names another key of software ${JSON.stringify(softwareId)}, still named by an SSA valid until ${isoOf(keys[i]!.exp)}; give the new key another kid`,
        );
      } else {
        if (i >= 0) keys.splice(i, 1);
        keys.push({ jwk, exp });
      }
    }
    // Room: drop the oldest keys no live SSA names; never one just sent, never a live one.
    while (keys.length > this.maxKeys) {
      const i = keys.findIndex((k) => !added.has(k.jwk.kid!) && !live(k));
      if (i < 0) {
        const frees = keys.filter((k) => !added.has(k.jwk.kid!) && k.exp !== null).map((k) => k.exp! + DIRECTORY_LIMITS.keyGraceSeconds);
        const retry = frees.length ? Math.max(1, Math.min(...frees) - now) : undefined;
        const kept = keys.filter((k) => !added.has(k.jwk.kid!)).length;
        throw new OAuthError(
          'invalid_request', 409,
          `software ${JSON.stringify(softwareId)} has ${kept} hosted keys, each still named by an SSA that has not expired, and this mint adds ${keys.length - kept}: ` +
            `the directory hosts at most ${this.maxKeys} keys per software (DIRECTORY_MAX_KEYS) and never drops a key a live SSA names. ` +
            (retry !== undefined ? `The first frees up in ${retry} s; ` : '') +
            'reuse a hosted key (the same kid) or mint for another software_id',
          retry !== undefined ? { headers: { 'retry-after': String(retry) } } : {},
        );
      }
      keys.splice(i, 1);
    }
    return keys;
  }

  /** Refusals that need no work: before a key is generated or an SSA signed. */
  private precheck(softwareId: string, caller: MintCaller | undefined) {
    const record = this.records.get(softwareId);
    if (record) this.authorize(softwareId, record, caller);
    else if (this.records.size >= this.maxSoftware) {
      throw new TemporarilyUnavailable(
        `the directory holds its maximum of ${this.maxSoftware} software ids (DIRECTORY_MAX_SOFTWARE) and forgets none (a forgotten id could be claimed by someone else); mint for a software_id you already own`,
      );
    }
  }

  async mint(raw: unknown = {}, caller?: MintCaller): Promise<MintResult> {
    const input = mintInput<MintInput>(raw);
    const f = await this.faker();
    const id = makeIdentity(f);

    let software_id = input.software_id ?? id.software_id;
    if (typeof software_id !== 'string' || !BASE62_ID.test(software_id)) fail('software_id', 'must be 1 to 22 Base62 characters');
    // A generated id is a new one: never someone's existing software (a seeded faker repeats after a restart).
    if (input.software_id === undefined) while (this.records.has(software_id)) software_id = softwareId(f);
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

    const given = input.jwks !== undefined ? checkPublicJwks(input.jwks) : undefined;
    this.precheck(software_id, caller);
    // Room for the keys, before any work (a generated key is a new kid).
    this.plan(software_id, this.records.get(software_id), given ?? { keys: [{ kty: 'none', kid: randomUUID() }] }, exp, now);

    let signing_key: JWK | undefined;
    let jwks: JSONWebKeySet;
    if (given) {
      jwks = given;
    } else {
      // ES256 unless the profile refuses it: a P-256 key costs about a hundredth of an RSA-2048 one;
      // either way one generation at a time (Slots), so mints cannot take the machine's CPU.
      const generated = await generateSoftwareKey(this.generatedKeyAlg, (task) => this.keygen.run(task));
      jwks = { keys: [generated.publicJwk] };
      signing_key = generated.privateJwk;
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

    const software_statement = await this.signClaims(claims);

    // Decided and applied in one synchronous step: concurrent mints for a new software_id cannot both own it.
    this.precheck(software_id, caller);
    let record = this.records.get(software_id);
    const keys = this.plan(software_id, record, jwks, exp, now);
    let software_secret: string | undefined;
    const previousKeys = record?.keys;
    if (!record) {
      software_secret = randomBytes(32).toString('base64url');
      record = { certs: caller?.certThumbprint ? [caller.certThumbprint] : [], secretHash: sha256(software_secret).toString('base64url'), keys };
      this.records.set(software_id, record);
    } else {
      record.keys = keys;
    }
    this.changed();
    if (this.shared) {
      // Stored before the SSA is handed out: an SSA a bank can verify names keys the directory still hosts after a restart.
      try {
        await this.shared.save(software_id, this.serializeRecord(record));
      } catch (e) {
        if (previousKeys === undefined) this.records.delete(software_id);
        else record.keys = previousKeys;
        throw e;
      }
    }
    return {
      software_statement, software_id, org_id, software_jwks_endpoint, claims,
      ...(signing_key ? { signing_key } : {}),
      ...(software_secret ? { software_secret } : {}),
    };
  }

  /** Persistence: a change schedules one write (coalesced), off the request path. */
  private changed() {
    if (!this.softwareFile) return;
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, DIRECTORY_LIMITS.persistDelayMs);
    this.timer.unref();
  }

  private serialize(): string {
    const software: Record<string, unknown> = {};
    for (const [id, r] of this.records) software[id] = this.serializeRecord(r);
    return JSON.stringify({ version: 2, software });
  }

  private serializeRecord(r: SoftwareRecord): Record<string, unknown> {
    return { certs: r.certs, ...(r.secretHash ? { secret_sha256: r.secretHash } : {}), keys: r.keys };
  }

  /** Writes pending changes now (atomically: a temporary file renamed over the old one); resolves when on disk. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const file = this.softwareFile;
    if (!file) return;
    while (this.writing || this.dirty) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      this.dirty = false;
      const data = this.serialize();
      const tmp = `${file}.${process.pid}.${++this.writes}.tmp`;
      this.writing = writeFile(tmp, data, { mode: 0o600 })
        .then(() => rename(tmp, file))
        .catch((e: unknown) => this.logger?.error('directory software file not written', { file, error: (e as Error).message }))
        .finally(() => {
          this.writing = undefined;
        });
    }
  }

  /** Flushes pending changes: call on shutdown. */
  close(): Promise<void> {
    return this.flush();
  }
}
