import { startMockBank } from '../../mock-server/runtime';
import { createTpp } from '../../fixtures/tpp';
import { loadConfig } from '../../mock-server/config';
import { randomIds, seededIds } from '../../mock-server/core/ids';
import { generateBundle, type CertBundle } from '../../mock-server/tls/certs';

// One set of certificates for every mock here: key generation is the slow part, and the ids do not depend on it.
let certs: CertBundle;
beforeAll(async () => {
  certs = await generateBundle();
});

/** The first client a fresh mock issues for a client_secret_basic registration, and its TPP identity. */
async function firstClient(seed?: string) {
  const bank = await startMockBank({ certs, ...(seed === undefined ? {} : { seed }) });
  try {
    const tpp = await createTpp(bank);
    const res = await tpp.register(await tpp.sign(tpp.claims({ token_endpoint_auth_method: 'client_secret_basic', tls_client_auth_subject_dn: undefined })));
    expect(res.status).toBe(201);
    const { client_id, client_secret } = res.json as { client_id: string; client_secret: string };
    const minted = await bank.directory.mint();
    // The directory's faker data (org name, software id of a mint without them) repeats too.
    return { client_id, client_secret, org_name: minted.claims.org_name, software_id: minted.software_id };
  } finally {
    await bank.close();
  }
}

describe('SEED: deterministic runs (tests only)', () => {
  test('two mocks with the same seed issue the same first client_id and secret; another seed differs; no seed is random', async () => {
    const a = await firstClient('team-a');
    const b = await firstClient('team-a');
    const c = await firstClient('team-b');
    const d = await firstClient();
    expect(b).toEqual(a);
    expect(a.client_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.client_secret).toMatch(/^[A-Za-z0-9_-]{36}$/);
    expect(c.client_id).not.toBe(a.client_id);
    expect(c.client_secret).not.toBe(a.client_secret);
    expect(c.software_id).not.toBe(a.software_id);
    expect(d.client_id).not.toBe(a.client_id);
    expect(d.client_secret).not.toBe(a.client_secret);
  }, 60_000);

  test('the seeded source only when SEED is set; its streams do not disturb each other', () => {
    expect(randomIds.seeded).toBe(false);
    const x = seededIds('s');
    const y = seededIds('s');
    x.secret(27);
    expect(x.uuid()).toBe(y.uuid()); // the n-th id depends on n only
    expect(x.secret(64)).toHaveLength(86);
  });

  test('SEED and --seed are read; flags win', () => {
    expect(loadConfig({ SEED: 'abc' }, [])).toMatchObject({ seed: 'abc' });
    expect(loadConfig({ SEED: 'abc' }, ['--seed', 'xyz'])).toMatchObject({ seed: 'xyz' });
    expect((loadConfig({}, []) as { seed?: string }).seed).toBeUndefined();
  });
});
