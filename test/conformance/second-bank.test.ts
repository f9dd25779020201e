/**
 * The second bank, proved on its own: the correct bank registers, issues a bound token and
 * manages the client; each sampled switch changes an observable answer.
 */
import https from 'node:https';
import { KeyObject, constants, createHmac, createPrivateKey, createPublicKey, randomUUID, sign as cryptoSign } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';
import {
  SECOND_BANK_BUGS,
  SECOND_BANK_BUG_CLASS,
  SECOND_BANK_BUG_NOTES,
  startSecondBank,
  type SecondBankBug,
} from './servers/second-bank';

const DIRECTORY_ISS = 'second-bank-test-directory';
const KEYSTORE = 'keystore.directory.test';
const JWKS_URL = `https://${KEYSTORE}/org1/sw1/software.jwks`;
const SOFTWARE_ID = 'SwSecondBank01';
const ORG_ID = 'OrgSecondBank1';
const CB = 'https://tpp.example/cb';
const CB2 = 'https://tpp.example/cb2';
const FRAG = 'https://tpp.example/frag#x';
const HTTP_CB = 'http://tpp.example/plain';

interface SoftwareKey {
  kid: string;
  alg: 'PS256' | 'ES256';
  priv: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  pub: JWK;
}

let bundle: CertBundle;
let foreign: CertBundle;
let directoryKey: JWK;
let rsa: SoftwareKey;
let rsa2: SoftwareKey;
let ec: SoftwareKey;
let attacker: SoftwareKey;
let softwareJwks: Map<string, { keys: JWK[] }>;
let evil: https.Server;
let evilPort = 0;

async function softwareKey(kid: string, alg: 'PS256' | 'ES256'): Promise<SoftwareKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, priv: privateKey, pub: { ...(await exportJWK(publicKey)), kid, use: 'sig' } };
}

beforeAll(async () => {
  [bundle, foreign] = await Promise.all([generateBundle(), generateBundle()]);
  directoryKey = bundle.directoryKey;
  [rsa, rsa2, ec, attacker] = await Promise.all([
    softwareKey('sk1', 'PS256'),
    softwareKey('sk2', 'PS256'),
    softwareKey('ec1', 'ES256'),
    softwareKey('evil1', 'PS256'),
  ]);
  softwareJwks = new Map([[JWKS_URL, { keys: [rsa.pub, rsa2.pub, ec.pub] }]]);
  // An HTTPS server on 127.0.0.1 standing for any foreign host: it serves the attacker's JWKS.
  evil = https.createServer({ cert: bundle.server.cert, key: bundle.server.key }, (req, res) => {
    if (req.url === '/slow') return; // never answers
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [attacker.pub], pad: 'x'.repeat(100 * 1024) }));
      return;
    }
    if (req.url === '/cert.pem') {
      res.writeHead(200, { 'content-type': 'application/pem-certificate-chain' });
      res.end(bundle.server.cert);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [attacker.pub] }));
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
  evilPort = (evil.address() as { port: number }).port;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => evil.close(() => r()));
});

// ---------------------------------------------------------------------------------------------
// HTTP

type CertChoice = 'tpp' | 'alt' | 'foreign' | 'none';
interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

function call(url: string, method: string, path: string, o: { body?: string; headers?: Record<string, string>; cert?: CertChoice } = {}): Promise<Res> {
  const choice = o.cert ?? 'tpp';
  const pair = choice === 'tpp' ? bundle.tpp : choice === 'alt' ? bundle.altTpp! : choice === 'foreign' ? foreign.tpp : undefined;
  const u = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        ca: bundle.ca.cert,
        ...(pair ? { cert: pair.cert, key: pair.key } : {}),
        agent: false,
        headers: { accept: 'application/json', ...(o.headers ?? {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// Signing

const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function ssa(over: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const key = await importJWK(directoryKey, 'PS256');
  return new SignJWT({
    iss: DIRECTORY_ISS,
    software_id: SOFTWARE_ID,
    org_id: ORG_ID,
    software_roles: ['AISP', 'PISP'],
    software_redirect_uris: [CB, CB2, FRAG, HTTP_CB],
    software_jwks_endpoint: JWKS_URL,
    iat: now(),
    exp: now() + 600,
    jti: randomUUID(),
    ...over,
  })
    .setProtectedHeader({ alg: 'PS256', kid: directoryKey.kid!, typ: 'JWT', ...header })
    .sign(key);
}

function claims(url: string, statement: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: SOFTWARE_ID,
    aud: url,
    iat: now(),
    exp: now() + 300,
    jti: randomUUID(),
    software_statement: statement,
    redirect_uris: [CB],
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: bundle.tpp.dn,
    grant_types: ['client_credentials', 'authorization_code'],
    response_types: ['code id_token'],
    scope: 'openid accounts',
    application_type: 'web',
    id_token_signed_response_alg: 'PS256',
    request_object_signing_alg: 'PS256',
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

function signWith(key: SoftwareKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.priv);
}

/** A JWS with any header, signed by a function of the signing input. */
function raw(header: Record<string, unknown>, payload: Record<string, unknown>, sig: (input: Buffer) => Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sig(Buffer.from(input)).toString('base64url')}`;
}
const pss = (k: SoftwareKey) => (input: Buffer) =>
  cryptoSign('sha256', input, { key: KeyObject.from(k.priv), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
const pkcs1 = (k: SoftwareKey) => (input: Buffer) => cryptoSign('sha256', input, { key: KeyObject.from(k.priv), padding: constants.RSA_PKCS1_PADDING });
const hmac = (secret: Buffer) => (input: Buffer) => createHmac('sha256', secret).update(input).digest();
// ---------------------------------------------------------------------------------------------
// A bank and the TPP's moves against it

interface Ctx {
  url: string;
  register(jws: string, cert?: CertChoice): Promise<Res>;
  /** Registers with the given claim overrides (signed PS256 by sk1); returns the 201 body. */
  client(over?: Record<string, unknown>, statement?: string): Promise<any>;
  token(form: Record<string, string>, o?: { cert?: CertChoice; basic?: string }): Promise<Res>;
  tlsToken(clientId: string, cert?: CertChoice, scope?: string): Promise<Res>;
  manage(method: string, clientId: string, token: string | undefined, o?: { cert?: CertChoice; body?: string }): Promise<Res>;
  ssa(over?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  claims(statement: string, over?: Record<string, unknown>): Record<string, unknown>;
}

async function withBank<T>(bugs: readonly SecondBankBug[], fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const bank = await startSecondBank({
    tls: { cert: bundle.server.cert, key: bundle.server.key, ca: bundle.ca.cert },
    directory: { issuer: DIRECTORY_ISS, jwks: { keys: [publicJwk(directoryKey)] }, keystoreHost: KEYSTORE },
    softwareJwks,
    bugs,
  });
  const url = bank.url;
  const ctx: Ctx = {
    url,
    register: (jws, cert = 'tpp') => call(url, 'POST', '/register', { body: jws, headers: { 'content-type': 'application/jose' }, cert }),
    async client(over = {}, statement) {
      const r = await ctx.register(await signWith(rsa, claims(url, statement ?? (await ssa()), over)));
      if (r.status !== 201) throw new Error(`registration failed: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    },
    token: (form, o = {}) =>
      call(url, 'POST', '/token', {
        body: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(o.basic ? { authorization: `Basic ${o.basic}` } : {}) },
        cert: o.cert ?? 'tpp',
      }),
    tlsToken: (clientId, cert = 'tpp', scope) =>
      ctx.token({ grant_type: 'client_credentials', client_id: clientId, ...(scope !== undefined ? { scope } : {}) }, { cert }),
    manage: (method, clientId, token, o = {}) =>
      call(url, method, `/register/${encodeURIComponent(clientId)}`, {
        ...(o.body !== undefined ? { body: o.body } : {}),
        headers: { ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}), ...(o.body !== undefined ? { 'content-type': 'application/jose' } : {}) },
        cert: o.cert ?? 'tpp',
      }),
    ssa,
    claims: (statement, over) => claims(url, statement, over),
  };
  try {
    return await fn(ctx);
  } finally {
    await bank.close();
  }
}

function publicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}

async function tokenFor(ctx: Ctx, clientId: string, cert: CertChoice = 'tpp'): Promise<string> {
  const r = await ctx.tlsToken(clientId, cert);
  if (r.status !== 200) throw new Error(`token failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.access_token as string;
}

function assertion(ctx: Ctx, clientId: string, over: Record<string, unknown> = {}, key: SoftwareKey = rsa): Promise<string> {
  const payload: Record<string, unknown> = { iss: clientId, sub: clientId, aud: `${ctx.url}/token`, iat: now(), exp: now() + 300, jti: randomUUID() };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete payload[k];
    else payload[k] = v;
  }
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg }).sign(key.priv);
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const basicOf = (id: string, secret: string) => Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');

// ---------------------------------------------------------------------------------------------

describe('second bank, correct', () => {
  it('exports one note and one class per switch, every class the brief names', () => {
    expect(SECOND_BANK_BUGS.length).toBeGreaterThanOrEqual(45);
    expect(new Set(SECOND_BANK_BUGS).size).toBe(SECOND_BANK_BUGS.length);
    for (const b of SECOND_BANK_BUGS) {
      expect(SECOND_BANK_BUG_NOTES[b].length).toBeGreaterThan(10);
      expect(typeof SECOND_BANK_BUG_CLASS[b]).toBe('string');
    }
    expect(new Set(Object.values(SECOND_BANK_BUG_CLASS))).toEqual(
      new Set(['jose-header', 'claims', 'metadata', 'credentials', 'identifiers', 'grants-scope', 'tls-identity', 'trust-chain', 'read-back', 'advertised']),
    );
  });

  it('advertises its endpoints and capabilities without a client certificate', () =>
    withBank([], async (ctx) => {
      const r = await call(ctx.url, 'GET', '/.well-known/openid-configuration', { cert: 'none' });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        issuer: ctx.url,
        registration_endpoint: `${ctx.url}/register`,
        token_endpoint: `${ctx.url}/token`,
        token_endpoint_auth_methods_supported: ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'],
        token_endpoint_auth_signing_alg_values_supported: ['PS256', 'ES256'],
        tls_client_certificate_bound_access_tokens: true,
        scopes_supported: ['openid', 'accounts', 'payments', 'fundsconfirmations'],
      });
    }));

  it('registers (tls_client_auth), issues a bound token, and GET/PUT/DELETE work', () =>
    withBank([], async (ctx) => {
      const c = await ctx.client();
      expect(c).toMatchObject({ software_id: SOFTWARE_ID, org_id: ORG_ID, redirect_uris: [CB], token_endpoint_auth_method: 'tls_client_auth', scope: 'openid accounts' });
      expect(c.client_id.length).toBeLessThanOrEqual(36);
      expect(c.client_secret).toBeUndefined();
      expect(c.registration_access_token).toBeUndefined();

      const t = await ctx.tlsToken(c.client_id);
      expect(t.status).toBe(200);
      expect(t.headers['cache-control']).toBe('no-store');
      expect(t.json).toMatchObject({ token_type: 'Bearer', scope: 'openid accounts' });
      const token = t.json.access_token as string;

      const got = await ctx.manage('GET', c.client_id, token);
      expect(got.status).toBe(200);
      expect(got.json.client_id).toBe(c.client_id);

      const put = await ctx.manage('PUT', c.client_id, token, {
        body: await signWith(rsa, ctx.claims(await ctx.ssa(), { client_id: c.client_id, redirect_uris: [CB, CB2] })),
      });
      expect(put.status).toBe(200);
      expect(put.json.redirect_uris).toEqual([CB, CB2]);
      expect((await ctx.manage('GET', c.client_id, token)).json.redirect_uris).toEqual([CB, CB2]);

      const del = await ctx.manage('DELETE', c.client_id, token);
      expect(del.status).toBe(204);
      const after = await ctx.manage('GET', c.client_id, token);
      expect(after.status).toBe(401);
      expect(after.headers['www-authenticate']).toMatch(/^Bearer /);
      expect((await ctx.tlsToken(c.client_id)).status).toBe(401);
    }));

  it('registers private_key_jwt, client_secret_basic and client_secret_post clients and authenticates them', () =>
    withBank([], async (ctx) => {
      const pkj = await ctx.client({ token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', tls_client_auth_subject_dn: undefined });
      const a = await ctx.token({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: await assertion(ctx, pkj.client_id), scope: '' });
      expect(a.status).toBe(200);

      const basic = await ctx.client({ token_endpoint_auth_method: 'client_secret_basic', tls_client_auth_subject_dn: undefined });
      expect(basic.client_secret_expires_at).toBe(0);
      expect(basic.client_secret.length).toBeLessThanOrEqual(36);
      expect((await ctx.token({ grant_type: 'client_credentials' }, { basic: basicOf(basic.client_id, basic.client_secret) })).status).toBe(200);
      const wrong = await ctx.token({ grant_type: 'client_credentials' }, { basic: basicOf(basic.client_id, 'nope') });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error).toBe('invalid_client');
      expect(wrong.headers['www-authenticate']).toMatch(/^Basic /);

      const post = await ctx.client({ token_endpoint_auth_method: 'client_secret_post', tls_client_auth_subject_dn: undefined });
      expect((await ctx.token({ grant_type: 'client_credentials', client_id: post.client_id, client_secret: post.client_secret })).status).toBe(200);
    }));

  it('accepts a registration request signed ES256 by the software EC key', () =>
    withBank([], async (ctx) => {
      const r = await ctx.register(await signWith(ec, ctx.claims(await ctx.ssa())));
      expect(r.status).toBe(201);
    }));

  it('takes omitted redirect_uris as all of the SSA software_redirect_uris, and omitted scope as all the roles allow', () =>
    withBank([], async (ctx) => {
      const statement = await ctx.ssa({ software_redirect_uris: [CB, CB2] });
      const r = await ctx.register(await signWith(rsa, ctx.claims(statement, { redirect_uris: undefined, scope: undefined })));
      expect(r.status).toBe(201);
      expect(r.json).toMatchObject({ redirect_uris: [CB, CB2], scope: 'openid accounts payments' });
      // With a fragment URI among them, the implied list is refused like an explicit one.
      const withFragment = await ctx.register(await signWith(rsa, ctx.claims(await ctx.ssa(), { redirect_uris: undefined })));
      expect([withFragment.status, withFragment.json.error]).toEqual([400, 'invalid_redirect_uri']);
    }));

  it('refuses with the RFC 7591 / RFC 6749 code and a JSON body', () =>
    withBank([], async (ctx) => {
      const body = async (p: Promise<Res>) => {
        const r = await p;
        expect(typeof r.json?.error_description).toBe('string');
        expect(r.headers['content-type']).toBe('application/json');
        return [r.status, r.json.error];
      };
      const signed = async (over: Record<string, unknown>) => ctx.register(await signWith(rsa, ctx.claims(await ctx.ssa(), over)));
      expect(await body(signed({ redirect_uris: [FRAG] }))).toEqual([400, 'invalid_redirect_uri']);
      expect(await body(signed({ software_statement: await ctx.ssa({ iss: 'rogue' }) }))).toEqual([400, 'unapproved_software_statement']);
      expect(await body(signed({ software_statement: (await ctx.ssa()).slice(0, -4) + 'AAAA' }))).toEqual([400, 'invalid_software_statement']);
      expect(await body(ctx.register(raw({ alg: 'RS256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), pkcs1(rsa))))).toEqual([400, 'invalid_client_metadata']);
      const c = await ctx.client();
      expect(await body(ctx.tlsToken(c.client_id, 'tpp', 'openid payments'))).toEqual([400, 'invalid_scope']);
      expect(await body(ctx.token({ grant_type: 'password', client_id: c.client_id }))).toEqual([400, 'unsupported_grant_type']);
      expect(await body(ctx.manage('GET', randomUUID(), await tokenFor(ctx, c.client_id)))).toEqual([401, 'invalid_token']);
    }));

  it('answers 401 JSON without a client certificate, and 403 for another client token', () =>
    withBank([], async (ctx) => {
      const r = await ctx.register(await signWith(rsa, ctx.claims(await ctx.ssa())), 'none');
      expect(r.status).toBe(401);
      expect(r.json.error).toBe('invalid_client');
      const a = await ctx.client();
      const b = await ctx.client();
      const tb = await tokenFor(ctx, b.client_id);
      const cross = await ctx.manage('GET', a.client_id, tb);
      expect(cross.status).toBe(403);
      const empty = await call(ctx.url, 'GET', `/register/${a.client_id}`, { headers: { authorization: 'Bearer ' } });
      expect(empty.status).toBe(401);
      expect(empty.headers['www-authenticate']).toMatch(/^Bearer /);
    }));
});

describe('second bank, the unpinned fetch stays on 127.0.0.1 and within its limits', () => {
  const viaJwks = (ctx: Ctx, endpoint: string) =>
    ctx.ssa({ software_jwks_endpoint: endpoint }).then((statement) => reg(ctx, raw({ alg: 'PS256', kid: 'evil1' }, ctx.claims(statement), pss(attacker))));

  it('sends an IP-literal host to 127.0.0.1 too', () =>
    withBank(['jwks-host-unpinned'], async (ctx) => {
      expect(await viaJwks(ctx, `https://10.255.255.1:${evilPort}/jwks`)).toBe(201);
    }));

  it('gives up after 2 s and refuses more than 64 KiB', () =>
    withBank(['jwks-host-unpinned'], async (ctx) => {
      const started = Date.now();
      expect(await viaJwks(ctx, `https://slow.test:${evilPort}/slow`)).toBe(400);
      expect(Date.now() - started).toBeLessThan(4000);
      expect(await viaJwks(ctx, `https://big.test:${evilPort}/big`)).toBe(400);
    }));
});

// ---------------------------------------------------------------------------------------------
// Each scenario returns an observable outcome; the switch must change it.

type Scenario = (ctx: Ctx) => Promise<unknown>;
const status = (p: Promise<Res>) => p.then((r) => r.status);
const reg = (ctx: Ctx, jws: string) => status(ctx.register(jws));
const regClaims = async (ctx: Ctx, over: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  reg(ctx, await signWith(rsa, ctx.claims(await ctx.ssa(), over), header));
/** The secrets a confused HS256 verifier derives from the software public key sk1. */
const hsSecret = (form: 'spki-pem' | 'spki-pem-trim' | 'pkcs1-pem' | 'spki-der' | 'pkcs1-der' | 'jwk'): Buffer => {
  const publicKey = createPublicKey(KeyObject.from(rsa.priv));
  switch (form) {
    case 'spki-pem':
      return Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }) as string);
    case 'spki-pem-trim':
      return Buffer.from((publicKey.export({ type: 'spki', format: 'pem' }) as string).trimEnd());
    case 'pkcs1-pem':
      return Buffer.from(publicKey.export({ type: 'pkcs1', format: 'pem' }) as string);
    case 'spki-der':
      return publicKey.export({ type: 'spki', format: 'der' });
    case 'pkcs1-der':
      return publicKey.export({ type: 'pkcs1', format: 'der' });
    case 'jwk':
      return Buffer.from(JSON.stringify(rsa.pub));
  }
};

const SCENARIOS: Partial<Record<SecondBankBug, Scenario>> = {
  // jose-header
  'alg-none-accepted': async (ctx) => reg(ctx, raw({ alg: 'none', kid: 'sk1' }, ctx.claims(await ctx.ssa()), () => Buffer.alloc(0))),
  'rs256-accepted': async (ctx) => reg(ctx, raw({ alg: 'RS256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), pkcs1(rsa))),
  'alg-case-insensitive': async (ctx) => reg(ctx, raw({ alg: 'ps256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), pss(rsa))),
  'kid-ignored': async (ctx) => reg(ctx, raw({ alg: 'PS256', kid: 'no-such-kid' }, ctx.claims(await ctx.ssa()), pss(rsa))),
  'crit-ignored': async (ctx) => reg(ctx, raw({ alg: 'PS256', kid: 'sk1', crit: ['urn:example:ext'], 'urn:example:ext': true }, ctx.claims(await ctx.ssa()), pss(rsa))),
  'embedded-jwk-trusted': async (ctx) =>
    reg(ctx, raw({ alg: 'PS256', jwk: attacker.pub }, ctx.claims(await ctx.ssa()), pss(attacker))),
  'jku-followed': async (ctx) =>
    reg(ctx, raw({ alg: 'PS256', kid: 'evil1', jku: `https://attacker.test:${evilPort}/jwks` }, ctx.claims(await ctx.ssa()), pss(attacker))),
  'hs256-spki-pem-newline': async (ctx) => reg(ctx, raw({ alg: 'HS256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), hmac(hsSecret('spki-pem')))),
  'hs256-spki-pem-no-newline': async (ctx) => reg(ctx, raw({ alg: 'HS256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), hmac(hsSecret('spki-pem-trim')))),
  'hs256-pkcs1-der': async (ctx) => reg(ctx, raw({ alg: 'HS256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), hmac(hsSecret('pkcs1-der')))),
  'hs256-jwk-json': async (ctx) => reg(ctx, raw({ alg: 'HS256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), hmac(hsSecret('jwk')))),
  'x5u-followed': async (ctx) => {
    const serverKey = createPrivateKey(bundle.server.key);
    const alg = serverKey.asymmetricKeyType === 'rsa' ? 'PS256' : 'ES256';
    const signer = (input: Buffer) =>
      alg === 'PS256'
        ? cryptoSign('sha256', input, { key: serverKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
        : cryptoSign('sha256', input, { key: serverKey, dsaEncoding: 'ieee-p1363' });
    return reg(ctx, raw({ alg, x5u: `https://attacker.test:${evilPort}/cert.pem` }, ctx.claims(await ctx.ssa()), signer));
  },
  'hs256-pkcs1-pem': async (ctx) => reg(ctx, raw({ alg: 'HS256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), hmac(hsSecret('pkcs1-pem')))),
  'hs256-spki-der': async (ctx) => reg(ctx, raw({ alg: 'HS256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), hmac(hsSecret('spki-der')))),
  'signature-unchecked': async (ctx) => reg(ctx, raw({ alg: 'PS256', kid: 'sk1' }, ctx.claims(await ctx.ssa()), pss(attacker))),

  // claims
  'iss-unchecked': (ctx) => regClaims(ctx, { iss: 'SomeoneElse' }),
  'aud-substring': (ctx) => regClaims(ctx, { aud: `${ctx.url}.evil.example` }),
  'exp-unchecked': (ctx) => regClaims(ctx, { exp: now() - 600 }),
  'exp-optional': (ctx) => regClaims(ctx, { exp: undefined }),
  'iat-optional': (ctx) => regClaims(ctx, { iat: undefined }),
  'iat-future-accepted': (ctx) => regClaims(ctx, { iat: now() + 3600 }),
  'jti-optional': (ctx) => regClaims(ctx, { jti: undefined }),
  'jti-replay': async (ctx) => {
    const jti = randomUUID();
    await regClaims(ctx, { jti });
    return regClaims(ctx, { jti });
  },
  'numeric-string-claims': (ctx) => regClaims(ctx, { exp: '9999999999' }),
  'software-id-mismatch-accepted': (ctx) => regClaims(ctx, { software_id: 'OtherSoftware' }),

  // metadata
  'redirect-fragment-allowed': (ctx) => regClaims(ctx, { redirect_uris: [FRAG] }),
  'redirect-not-in-ssa-accepted': (ctx) => regClaims(ctx, { redirect_uris: ['https://elsewhere.example/cb'] }),
  'redirect-http-allowed': (ctx) => regClaims(ctx, { redirect_uris: [HTTP_CB] }),
  'grant-types-unchecked': (ctx) => regClaims(ctx, { grant_types: ['password'] }),
  'response-types-unchecked': (ctx) => regClaims(ctx, { response_types: ['id_token', 'token'] }),
  'unknown-auth-method-accepted': (ctx) => regClaims(ctx, { token_endpoint_auth_method: 'magic_auth', tls_client_auth_subject_dn: undefined }),
  'signing-alg-optional': (ctx) => regClaims(ctx, { token_endpoint_auth_method: 'private_key_jwt', tls_client_auth_subject_dn: undefined }),
  'scope-beyond-roles': (ctx) => regClaims(ctx, { scope: 'openid fundsconfirmations' }),
  'unknown-metadata-refused': (ctx) => regClaims(ctx, { x_vendor_field: 'ignored' }),
  'jwks-and-jwks-uri-accepted': (ctx) => regClaims(ctx, { jwks: { keys: [rsa.pub] }, jwks_uri: JWKS_URL }),

  // credentials
  'secret-prefix-compare': async (ctx) => {
    const c = await ctx.client({ token_endpoint_auth_method: 'client_secret_basic', tls_client_auth_subject_dn: undefined });
    return status(ctx.token({ grant_type: 'client_credentials' }, { basic: basicOf(c.client_id, c.client_secret.slice(0, 4)) }));
  },
  'basic-secret-unchecked': async (ctx) => {
    const c = await ctx.client({ token_endpoint_auth_method: 'client_secret_basic', tls_client_auth_subject_dn: undefined });
    return status(ctx.token({ grant_type: 'client_credentials' }, { basic: basicOf(c.client_id, 'wrong') }));
  },
  'post-secret-unchecked': async (ctx) => {
    const c = await ctx.client({ token_endpoint_auth_method: 'client_secret_post', tls_client_auth_subject_dn: undefined });
    return status(ctx.token({ grant_type: 'client_credentials', client_id: c.client_id, client_secret: 'wrong' }));
  },
  'assertion-sub-unchecked': async (ctx) => {
    const c = await pkjClient(ctx);
    return status(ctx.token({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: await assertion(ctx, c.client_id, { sub: 'other' }) }));
  },
  'assertion-aud-unchecked': async (ctx) => {
    const c = await pkjClient(ctx);
    return status(ctx.token({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: await assertion(ctx, c.client_id, { aud: 'https://elsewhere.example/token' }) }));
  },
  'assertion-exp-optional': async (ctx) => {
    const c = await pkjClient(ctx);
    return status(ctx.token({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: await assertion(ctx, c.client_id, { exp: undefined }) }));
  },
  'assertion-replay': async (ctx) => {
    const c = await pkjClient(ctx);
    const a = await assertion(ctx, c.client_id);
    await ctx.token({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: a });
    return status(ctx.token({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: a }));
  },
  'assertion-type-unchecked': async (ctx) => {
    const c = await pkjClient(ctx);
    return status(ctx.token({ grant_type: 'client_credentials', client_assertion_type: 'urn:example:whatever', client_assertion: await assertion(ctx, c.client_id) }));
  },

  // identifiers
  'mgmt-find-by-software-id': async (ctx) => {
    const c = await ctx.client();
    return status(ctx.manage('GET', SOFTWARE_ID, await tokenFor(ctx, c.client_id)));
  },
  'client-id-case-insensitive': async (ctx) => {
    const c = await ctx.client();
    return status(ctx.manage('GET', (c.client_id as string).toUpperCase(), await tokenFor(ctx, c.client_id)));
  },
  'cross-client-put-delete': async (ctx) => {
    const a = await ctx.client();
    const b = await ctx.client();
    return status(ctx.manage('DELETE', a.client_id, await tokenFor(ctx, b.client_id)));
  },
  'unknown-client-404': async (ctx) => {
    const c = await ctx.client();
    return status(ctx.manage('GET', randomUUID(), await tokenFor(ctx, c.client_id)));
  },
  'unknown-client-token-kept': async (ctx) => {
    const c = await ctx.client();
    const t = await tokenFor(ctx, c.client_id);
    await ctx.manage('GET', randomUUID(), t);
    return status(ctx.manage('GET', c.client_id, t));
  },

  // grants-scope
  'token-scope-beyond-client': async (ctx) => status(ctx.tlsToken((await ctx.client()).client_id, 'tpp', 'openid accounts payments')),
  'grant-type-unchecked': async (ctx) => status(ctx.token({ grant_type: 'password', client_id: (await ctx.client()).client_id })),
  'empty-scope-refused': async (ctx) => status(ctx.tlsToken((await ctx.client()).client_id, 'tpp', '')),

  // tls-identity
  'token-no-cert-dn-skipped': async (ctx) => status(ctx.tlsToken((await ctx.client()).client_id, 'none')),
  'token-dn-mismatch-accepted': async (ctx) => status(ctx.tlsToken((await ctx.client()).client_id, 'alt')),
  'registration-untrusted-ca': async (ctx) => status(ctx.register(await signWith(rsa, ctx.claims(await ctx.ssa(), { token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', tls_client_auth_subject_dn: undefined })), 'foreign')),
  'registration-dn-mismatch': (ctx) => regClaims(ctx, { tls_client_auth_subject_dn: 'CN=someone else,O=Elsewhere,C=GB' }),
  'bound-token-any-cert': async (ctx) => {
    const c = await ctx.client();
    return status(ctx.manage('GET', c.client_id, await tokenFor(ctx, c.client_id), { cert: 'alt' }));
  },

  // trust-chain
  'jwks-host-unpinned': async (ctx) =>
    reg(ctx, raw({ alg: 'PS256', kid: 'evil1' }, ctx.claims(await ctx.ssa({ software_jwks_endpoint: `https://attacker.test:${evilPort}/jwks` })), pss(attacker))),
  'ssa-iss-unchecked': async (ctx) => regClaims(ctx, { software_statement: await ctx.ssa({ iss: 'rogue-directory' }) }),
  'ssa-signature-unchecked': async (ctx) => {
    const good = await ctx.ssa();
    const [h, p] = good.split('.');
    return regClaims(ctx, { software_statement: `${h}.${p}.${pss(attacker)(Buffer.from(`${h}.${p}`)).toString('base64url')}` });
  },
  'ssa-exp-unchecked': async (ctx) => regClaims(ctx, { software_statement: await ctx.ssa({ exp: now() - 60 }) }),

  // read-back
  'put-stores-nothing': async (ctx) => {
    const c = await ctx.client();
    const t = await tokenFor(ctx, c.client_id);
    await ctx.manage('PUT', c.client_id, t, { body: await signWith(rsa, ctx.claims(await ctx.ssa(), { client_id: c.client_id, redirect_uris: [CB2] })) });
    return (await ctx.manage('GET', c.client_id, t)).json.redirect_uris;
  },
  'put-software-id-changes': async (ctx) => {
    const c = await ctx.client();
    const t = await tokenFor(ctx, c.client_id);
    const other = await ctx.ssa({ software_id: 'SwOther02' });
    await ctx.manage('PUT', c.client_id, t, { body: await signWith(rsa, ctx.claims(other, { client_id: c.client_id, iss: 'SwOther02' })) });
    return (await ctx.manage('GET', c.client_id, t)).json.software_id;
  },
  'put-answers-old': async (ctx) => {
    const c = await ctx.client();
    const t = await tokenFor(ctx, c.client_id);
    const put = await ctx.manage('PUT', c.client_id, t, { body: await signWith(rsa, ctx.claims(await ctx.ssa(), { client_id: c.client_id, redirect_uris: [CB2] })) });
    return put.json.redirect_uris;
  },
  'delete-keeps-client': async (ctx) => {
    const c = await ctx.client();
    const t = await tokenFor(ctx, c.client_id);
    await ctx.manage('DELETE', c.client_id, t);
    return status(ctx.manage('GET', c.client_id, t));
  },
  'post-stores-first-redirect': async (ctx) => {
    const c = await ctx.client({ redirect_uris: [CB2] });
    return (await ctx.manage('GET', c.client_id, await tokenFor(ctx, c.client_id))).json.redirect_uris;
  },

  // advertised
  'advertised-secret-post-refused': (ctx) => regClaims(ctx, { token_endpoint_auth_method: 'client_secret_post', tls_client_auth_subject_dn: undefined }),
  'advertised-es256-assertion-refused': async (ctx) => {
    const c = await ctx.client({ token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', tls_client_auth_subject_dn: undefined });
    return status(ctx.token({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: await assertion(ctx, c.client_id, {}, ec) }));
  },
  'advertised-refresh-token-refused': (ctx) => regClaims(ctx, { grant_types: ['client_credentials', 'refresh_token'] }),
};

/** What the correct bank answers, and what the switch makes it answer instead. */
const EXPECTED: Partial<Record<SecondBankBug, readonly [unknown, unknown]>> = {
  'alg-none-accepted': [400, 201],
  'rs256-accepted': [400, 201],
  'alg-case-insensitive': [400, 201],
  'kid-ignored': [400, 201],
  'crit-ignored': [400, 201],
  'embedded-jwk-trusted': [400, 201],
  'jku-followed': [400, 201],
  'hs256-spki-pem-newline': [400, 201],
  'hs256-spki-pem-no-newline': [400, 201],
  'hs256-pkcs1-der': [400, 201],
  'hs256-jwk-json': [400, 201],
  'signature-unchecked': [400, 201],
  'iss-unchecked': [400, 201],
  'aud-substring': [400, 201],
  'exp-unchecked': [400, 201],
  'exp-optional': [400, 201],
  'iat-optional': [400, 201],
  'jti-optional': [400, 201],
  'jti-replay': [400, 201],
  'numeric-string-claims': [400, 201],
  'software-id-mismatch-accepted': [400, 201],
  'redirect-fragment-allowed': [400, 201],
  'redirect-not-in-ssa-accepted': [400, 201],
  'redirect-http-allowed': [400, 201],
  'grant-types-unchecked': [400, 201],
  'response-types-unchecked': [400, 201],
  'unknown-auth-method-accepted': [400, 201],
  'signing-alg-optional': [400, 201],
  'scope-beyond-roles': [400, 201],
  'unknown-metadata-refused': [201, 400],
  'jwks-and-jwks-uri-accepted': [400, 201],
  'secret-prefix-compare': [401, 200],
  'basic-secret-unchecked': [401, 200],
  'post-secret-unchecked': [401, 200],
  'assertion-sub-unchecked': [401, 200],
  'assertion-aud-unchecked': [401, 200],
  'assertion-exp-optional': [401, 200],
  'assertion-replay': [401, 200],
  'assertion-type-unchecked': [401, 200],
  'mgmt-find-by-software-id': [401, 200],
  'client-id-case-insensitive': [401, 200],
  'cross-client-put-delete': [403, 204],
  'unknown-client-404': [401, 404],
  'unknown-client-token-kept': [401, 200],
  'token-scope-beyond-client': [400, 200],
  'grant-type-unchecked': [400, 200],
  'empty-scope-refused': [200, 400],
  'token-no-cert-dn-skipped': [401, 200],
  'token-dn-mismatch-accepted': [401, 200],
  'registration-untrusted-ca': [401, 201],
  'registration-dn-mismatch': [400, 201],
  'bound-token-any-cert': [401, 200],
  'jwks-host-unpinned': [400, 201],
  'ssa-iss-unchecked': [400, 201],
  'ssa-signature-unchecked': [400, 201],
  'ssa-exp-unchecked': [400, 201],
  'put-stores-nothing': [['https://tpp.example/cb2'], ['https://tpp.example/cb']],
  'put-software-id-changes': ['SwSecondBank01', 'SwOther02'],
  'put-answers-old': [['https://tpp.example/cb2'], ['https://tpp.example/cb']],
  'delete-keeps-client': [401, 200],
  'post-stores-first-redirect': [['https://tpp.example/cb2'], ['https://tpp.example/cb']],
  'advertised-secret-post-refused': [201, 400],
  'advertised-es256-assertion-refused': [200, 401],
  'advertised-refresh-token-refused': [201, 400],
  'x5u-followed': [400, 201],
  'hs256-pkcs1-pem': [400, 201],
  'hs256-spki-der': [400, 201],
  'iat-future-accepted': [400, 201],
};

function pkjClient(ctx: Ctx): Promise<any> {
  return ctx.client({ token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'PS256', tls_client_auth_subject_dn: undefined });
}

describe('second bank, each sampled switch changes what a TPP observes', () => {
  it('samples every class, with an expected outcome for each sample', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(SCENARIOS).sort());
    const classes = new Set(Object.keys(SCENARIOS).map((b) => SECOND_BANK_BUG_CLASS[b as SecondBankBug]));
    expect(classes.size).toBe(new Set(Object.values(SECOND_BANK_BUG_CLASS)).size);
  });

  it.each(Object.keys(SCENARIOS) as SecondBankBug[])('%s', async (bug) => {
    const scenario = SCENARIOS[bug]!;
    const correct = await withBank([], scenario);
    const wrong = await withBank([bug], scenario);
    expect({ bug, correct, wrong }).toEqual({ bug, correct: EXPECTED[bug]![0], wrong: EXPECTED[bug]![1] });
  });
});
