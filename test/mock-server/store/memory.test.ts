import { MemoryStore } from '../../../mock-server/store/memory';
import type { ClientRecord } from '../../../mock-server/store/types';

function record(id: string): ClientRecord {
  return {
    client_id: id,
    client_id_issued_at: 1_700_000_000,
    metadata: { token_endpoint_auth_method: 'tls_client_auth', redirect_uris: ['https://tpp.example/cb'] } as unknown as ClientRecord['metadata'],
    ssa: { software_id: 'abc', org_contacts: [{ email: 'a@tpp.example' }] },
    software_jwks_endpoint: 'https://directory.example/jwks',
    profile: 'obie',
  };
}

describe('MemoryStore clients', () => {
  test('what is stored is a copy: changing the record afterwards changes nothing stored', async () => {
    const store = new MemoryStore();
    const r = record('c1');
    await store.createClient(r);
    (r.ssa.org_contacts as Array<{ email: string }>)[0]!.email = 'changed@tpp.example';
    r.metadata.redirect_uris.push('https://evil.example');
    expect(await store.getClient('c1')).toEqual(record('c1'));
  });

  test('what is read is a copy: changing it changes nothing stored', async () => {
    const store = new MemoryStore();
    await store.createClient(record('c1'));
    const read = (await store.getClient('c1'))!;
    read.metadata.redirect_uris.push('https://evil.example');
    (await store.listClients())[0]!.ssa.software_id = 'other';
    expect(await store.getClient('c1')).toEqual(record('c1'));
  });

  test('update replaces only an existing client; delete removes it', async () => {
    const store = new MemoryStore();
    await store.updateClient(record('ghost'));
    expect(await store.getClient('ghost')).toBeUndefined();
    await store.createClient(record('c1'));
    await store.updateClient({ ...record('c1'), client_secret: 's' });
    expect((await store.getClient('c1'))!.client_secret).toBe('s');
    expect(await store.deleteClient('c1')).toBe(true);
    expect(await store.getClient('c1')).toBeUndefined();
    expect(await store.deleteClient('c1')).toBe(false);
  });

  test('bounded: full, a new client is refused (503) and no registered client is forgotten', async () => {
    const store = new MemoryStore({ maxClients: 2 });
    for (const id of ['a', 'b']) await store.createClient(record(id));
    await expect(store.createClient(record('c'))).rejects.toMatchObject({ status: 503, code: 'temporarily_unavailable' });
    expect((await store.listClients()).map((c) => c.client_id)).toEqual(['a', 'b']);
  });
});
