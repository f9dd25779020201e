import { MemoryStore } from '../../../mock-server/store/memory';
import { ssaClaimsOf } from '../../../mock-server/core/verify-ssa';
import type { ClientRecord } from '../../../mock-server/store/types';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A compact JWS the SSA decoder reads (its signature is not checked by decoding). */
const statement = (claims: Record<string, unknown>) => `${b64({ alg: 'PS256', kid: 'k1', typ: 'JWT' })}.${b64(claims)}.${Buffer.from('sig').toString('base64url')}`;

function record(id: string, text: string | undefined, ssa: Record<string, unknown>): ClientRecord {
  return {
    client_id: id,
    client_id_issued_at: 1_700_000_000,
    metadata: { token_endpoint_auth_method: 'tls_client_auth', redirect_uris: ['https://tpp.example/cb'], ...(text ? { software_statement: text } : {}) } as unknown as ClientRecord['metadata'],
    ssa,
    software_jwks_endpoint: 'https://directory.example/jwks',
    request_claims: { iss: 'abc' },
    profile: 'obie',
    client_secret: 's',
  };
}

const store = () => new MemoryStore({ sweepIntervalMs: 0 });
const stored = (s: MemoryStore) => s.usage().clients.bytes;

describe('a client record whose SSA claims are its own statement decoded', () => {
  const claims = { iss: 'Directory', software_id: 'sw1', org_contacts: [{ email: 'a@b.example' }], blob: 'x'.repeat(2000) };
  const text = statement(claims);

  test('is stored without a second copy of the claims, and read back the same, in the same order', async () => {
    const decoded = ssaClaimsOf(text)!;
    expect(decoded).toEqual(claims);
    const r = record('c1', text, decoded);
    const s = store();
    await s.createClient(r);
    expect(stored(s)).toBeLessThan(Buffer.byteLength(JSON.stringify(r)) - 1500);
    const back = await s.getClient('c1');
    expect(back).toEqual(r);
    expect(Object.keys(back!)).toEqual(Object.keys(r));
    expect(JSON.stringify(back)).toBe(JSON.stringify(r));
    expect(await s.listClients()).toEqual([r]);
    // An update keeps the same form.
    await s.updateClient({ ...r, client_secret: 't' });
    expect(await s.getClient('c1')).toEqual({ ...r, client_secret: 't' });
  });

  test('claims that are not exactly that decoding are kept as they are: a copy, other claims, no statement', async () => {
    const s = store();
    const copy = structuredClone(ssaClaimsOf(text)!);
    const cases = [record('copy', text, copy), record('other', text, { software_id: 'sw2' }), record('none', undefined, ssaClaimsOf(text)!)];
    for (const r of cases) await s.createClient(r);
    const bytes = cases.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)) + 64, 0);
    expect(stored(s)).toBe(bytes);
    for (const r of cases) expect(await s.getClient(r.client_id)).toEqual(r);
  });

  test('a statement not decoded before is stored whole (nothing is decoded to store a client)', async () => {
    const s = store();
    const fresh = statement({ ...claims, software_id: 'never-seen' });
    const r = record('c2', fresh, JSON.parse(Buffer.from(fresh.split('.')[1]!, 'base64url').toString()));
    await s.createClient(r);
    expect(stored(s)).toBe(Buffer.byteLength(JSON.stringify(r)) + 64);
    expect(await s.getClient('c2')).toEqual(r);
  });
});
