/**
 * The directory's rules (docs/directory.md): a software_id belongs to its first registrant, live
 * SSAs' keys are never evicted, the limits refuse instead of forgetting, key generation is bounded.
 */
import { MockDirectory, DIRECTORY_LIMITS } from '../../mock-server/directory/directory';
import { createDirectoryKey } from '../../mock-server/tls/certs';
import { signingKey, type SigningKey } from '../../fixtures/keys';
import { publicJwks } from '../../fixtures/registration';
import type { JWK } from 'jose';

let directoryKey: JWK;
beforeAll(async () => {
  directoryKey = await createDirectoryKey();
});
const directory = (opts: Partial<ConstructorParameters<typeof MockDirectory>[0]> = {}) =>
  new MockDirectory({ issuer: 'D', signingKey: directoryKey, baseUrl: 'https://bank.test/directory', ...opts });
const now = () => Math.floor(Date.now() / 1000);
const ec = () => signingKey('ES256');
const kids = (d: MockDirectory, id: string) => d.softwareJwks(id)?.keys.map((k) => k.kid) ?? [];

describe('a software_id belongs to its first registrant', () => {
  let d: MockDirectory;
  let victim: SigningKey;
  let secret: string;
  beforeAll(async () => {
    d = directory();
    victim = await ec();
    const r = await d.mint({ software_id: 'victim1', jwks: publicJwks(victim) }, { certThumbprint: 'victim-cert' });
    expect(r.software_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    secret = r.software_secret!;
  });

  test.each([
    ['no certificate, no secret', {}, /no client certificate and no software_secret were presented/],
    ['another certificate', { certThumbprint: 'attacker-cert' }, /the client certificate presented is not the one that registered it/],
    ['a wrong secret', { softwareSecret: 'guess' }, /the software_secret sent does not match/],
    ['another certificate and a wrong secret', { certThumbprint: 'attacker-cert', softwareSecret: 'x'.repeat(43) }, /does not match/],
  ])('%s: 403 access_denied, and the attacker key is not hosted', async (_n, caller, why) => {
    const attacker = await ec();
    const mint = d.mint({ software_id: 'victim1', jwks: publicJwks(attacker) }, caller);
    await expect(mint).rejects.toMatchObject({ status: 403, code: 'access_denied' });
    await expect(d.mint({ software_id: 'victim1', jwks: publicJwks(attacker) }, caller)).rejects.toThrow(why);
    expect(kids(d, 'victim1')).toEqual([victim.kid]);
  });

  test('the registering certificate, or the software_secret, mints again (no new secret); an in-process call may too', async () => {
    const byCert = await d.mint({ software_id: 'victim1', jwks: publicJwks(await ec()) }, { certThumbprint: 'victim-cert' });
    expect(byCert.software_secret).toBeUndefined();
    const bySecret = await d.mint({ software_id: 'victim1', jwks: publicJwks(await ec()) }, { certThumbprint: 'laptop-cert', softwareSecret: secret });
    expect(bySecret.software_secret).toBeUndefined();
    await d.mint({ software_id: 'victim1', jwks: publicJwks(await ec()) });
    expect(kids(d, 'victim1')).toHaveLength(4);
    // The secret did not bind the laptop's certificate.
    await expect(d.mint({ software_id: 'victim1' }, { certThumbprint: 'laptop-cert' })).rejects.toMatchObject({ status: 403 });
  });

  test('a new software_id without a certificate is owned by its secret alone', async () => {
    const r = await d.mint({ software_id: 'nocert1' }, {});
    await expect(d.mint({ software_id: 'nocert1' }, {})).rejects.toMatchObject({ status: 403 });
    await expect(d.mint({ software_id: 'nocert1' }, { certThumbprint: 'any' })).rejects.toMatchObject({ status: 403 });
    await expect(d.mint({ software_id: 'nocert1' }, { softwareSecret: r.software_secret! })).resolves.toMatchObject({ software_id: 'nocert1' });
  });

  test('concurrent first mints for one new software_id: exactly one owns it', async () => {
    const results = await Promise.allSettled(['a', 'b', 'c'].map(async (c) => d.mint({ software_id: 'raced1', jwks: publicJwks(await ec()) }, { certThumbprint: c })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.status)).toEqual([403, 403]);
    expect(kids(d, 'raced1')).toHaveLength(1);
  });

  test('owners given at start (the mock\'s own TPP) cannot be claimed by the first HTTP caller', async () => {
    const o = directory({ owners: { tppSoftware: ['tpp-cert'] } });
    expect(o.softwareJwks('tppSoftware')).toBeUndefined(); // nothing hosted yet
    await expect(o.mint({ software_id: 'tppSoftware' }, {})).rejects.toMatchObject({ status: 403 });
    const r = await o.mint({ software_id: 'tppSoftware', jwks: publicJwks(await ec()) }, { certThumbprint: 'tpp-cert' });
    expect(r.software_secret).toBeUndefined();
  });

  test('an omitted software_id is a new one, never an existing software\'s (a seeded faker repeats)', async () => {
    const a = directory({ seed: 3 });
    const first = await a.mint({}, {});
    const b = directory({ seed: 3, owners: { [first.software_id]: ['x'] } });
    const again = await b.mint({}, {});
    expect(again.software_id).not.toBe(first.software_id);
  });
});

describe('the keys of live SSAs are kept', () => {
  const max = 10;
  test('past DIRECTORY_MAX_KEYS, keys no live SSA names are evicted, oldest first; never a live one', async () => {
    const d = directory({ maxKeysPerSoftware: max });
    const expired: SigningKey[] = [];
    for (let i = 0; i < 3; i++) {
      expired.push(await ec());
      await d.mint({ software_id: 'sw1', jwks: publicJwks(expired[i]!), iat: now() - 7200, exp: now() - 3600 });
    }
    const live: SigningKey[] = [];
    for (let i = 0; i < max - 3; i++) {
      live.push(await ec());
      await d.mint({ software_id: 'sw1', jwks: publicJwks(live[i]!) });
    }
    expect(kids(d, 'sw1')).toHaveLength(max);
    const next = await ec();
    await d.mint({ software_id: 'sw1', jwks: publicJwks(next) });
    expect(kids(d, 'sw1')).toEqual([...expired.slice(1), ...live, next].map((k) => k.kid));
  });

  test('full of live keys: 409 with Retry-After when the first frees up, and nothing changes', async () => {
    const d = directory({ maxKeysPerSoftware: max });
    const keys = await Promise.all(Array.from({ length: max }, ec));
    for (const k of keys) await d.mint({ software_id: 'sw2', jwks: publicJwks(k), exp: now() + 600 });
    const before = kids(d, 'sw2');
    const refused = d.mint({ software_id: 'sw2', jwks: publicJwks(await ec()) });
    await expect(refused).rejects.toMatchObject({ status: 409, code: 'invalid_request' });
    const e = (await d.mint({ software_id: 'sw2', jwks: publicJwks(await ec()) }).then(() => undefined, (x: unknown) => x)) as { message: string; headers: Record<string, string> };
    expect(e.message).toMatch(/at most 10 keys per software \(DIRECTORY_MAX_KEYS\) and never drops a key a live SSA names/);
    const retry = Number(e.headers['retry-after']);
    expect(retry).toBeGreaterThan(600);
    expect(retry).toBeLessThanOrEqual(600 + DIRECTORY_LIMITS.keyGraceSeconds);
    expect(kids(d, 'sw2')).toEqual(before);
    // A mint reusing a hosted key needs no room: it extends that key's life.
    await expect(d.mint({ software_id: 'sw2', jwks: publicJwks(keys[0]!) })).resolves.toBeDefined();
  });

  test('a key named by an SSA without exp is never evicted; a key just past exp stays for the clock-skew grace', async () => {
    const d = directory({ maxKeysPerSoftware: max });
    const forever = await ec();
    await d.mint({ software_id: 'sw3', jwks: publicJwks(forever), exp: null });
    const recent = await ec();
    await d.mint({ software_id: 'sw3', jwks: publicJwks(recent), iat: now() - 100, exp: now() - 10 });
    for (let i = 0; i < max - 2; i++) await d.mint({ software_id: 'sw3', jwks: publicJwks(await ec()), iat: now() - 7200, exp: now() - 3600 });
    for (let i = 0; i < max - 2; i++) await d.mint({ software_id: 'sw3', jwks: publicJwks(await ec()) });
    expect(kids(d, 'sw3')).toContain(forever.kid);
    expect(kids(d, 'sw3')).toContain(recent.kid);
    await expect(d.mint({ software_id: 'sw3', jwks: publicJwks(await ec()) })).rejects.toMatchObject({ status: 409 });
  });

  test('a kid already naming another live key is refused (409); the same key under its kid extends its life', async () => {
    const d = directory();
    const k = await ec();
    await d.mint({ software_id: 'sw4', jwks: publicJwks(k), exp: now() + 60 });
    const other = await ec();
    await expect(d.mint({ software_id: 'sw4', jwks: { keys: [{ ...other.publicJwk, kid: k.kid }] } })).rejects.toThrow(/already names another key/);
    expect(d.softwareJwks('sw4')?.keys[0]).toEqual(k.publicJwk);
    // Once no live SSA names it, the kid may name a new key.
    const e = directory();
    await e.mint({ software_id: 'sw5', jwks: publicJwks(k), iat: now() - 7200, exp: now() - 3600 });
    await e.mint({ software_id: 'sw5', jwks: { keys: [{ ...other.publicJwk, kid: k.kid }] } });
    expect(e.softwareJwks('sw5')?.keys).toEqual([{ ...other.publicJwk, kid: k.kid }]);
  });
});

test('DIRECTORY_MAX_SOFTWARE: a new software_id past it is refused with 503; none is forgotten, owners still mint', async () => {
  const d = directory({ maxSoftware: 2 });
  const a = await d.mint({ software_id: 'one1' }, {});
  await d.mint({ software_id: 'two2' }, {});
  await expect(d.mint({ software_id: 'three3' }, {})).rejects.toMatchObject({ status: 503, code: 'temporarily_unavailable' });
  await expect(d.mint({}, {})).rejects.toThrow(/maximum of 2 software ids \(DIRECTORY_MAX_SOFTWARE\)/);
  expect(d.softwareJwks('one1')).toBeDefined();
  await expect(d.mint({ software_id: 'one1' }, { softwareSecret: a.software_secret! })).resolves.toBeDefined();
});

describe('generated signing keys', () => {
  test('ES256 by default (P-256: cheap); PS256 where the profile needs it; the private JWK says its alg', async () => {
    const es = await directory().mint({}, {});
    expect(es.signing_key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(es.signing_key?.d).toBeDefined();
    const ps = await directory({ generatedKeyAlg: 'PS256' }).mint({}, {});
    expect(ps.signing_key).toMatchObject({ kty: 'RSA', alg: 'PS256' });
    expect(Buffer.from(ps.signing_key!.n!, 'base64url')).toHaveLength(256);
  });

  test('at most DIRECTORY_KEYGEN_CONCURRENCY at once and DIRECTORY_KEYGEN_QUEUE waiting: past them 429 (load, not an outage) with Retry-After; mints with jwks are never held', async () => {
    const d = directory({ generatedKeyAlg: 'PS256', keygenConcurrency: 1, keygenQueue: 1 });
    const jwks = publicJwks(await ec());
    const results = await Promise.allSettled([d.mint({}, {}), d.mint({}, {}), d.mint({}, {}), d.mint({ jwks }, {})]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const refused = (results[2] as PromiseRejectedResult).reason as { status: number; code: string; headers: Record<string, string>; message: string };
    expect(refused).toMatchObject({ status: 429, code: 'temporarily_unavailable' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.message).toMatch(/DIRECTORY_KEYGEN_QUEUE.*send your own public jwks/);
    // The slots free up: the next mint is generated again.
    await expect(d.mint({}, {})).resolves.toMatchObject({ signing_key: { kty: 'RSA' } });
  });

  test('a refused caller costs no key generation: ownership and room are checked first', async () => {
    const d = directory({ generatedKeyAlg: 'PS256', keygenConcurrency: 1, keygenQueue: 0 });
    await d.mint({ software_id: 'owned1', jwks: publicJwks(await ec()) }, { certThumbprint: 'owner' });
    const busy = d.mint({}, {}); // holds the only slot
    // Refused for ownership (403), not for the busy slot (429): the check came before any generation.
    await expect(d.mint({ software_id: 'owned1' }, {})).rejects.toMatchObject({ status: 403 });
    await expect(d.mint({}, {})).rejects.toMatchObject({ status: 429 });
    await busy;
  });
});
