import { authenticateClient, JWT_BEARER_ASSERTION, type TokenContext } from '../../../mock-server/core/token';
import { MemoryStore } from '../../../mock-server/store/memory';
import { obie } from '../../../mock-server/profiles/obie';
import { RuleViolation } from '../../../mock-server/errors';
import type { ClientRecord } from '../../../mock-server/store/types';
import { signingKey, type SigningKey } from '../../../fixtures/keys';
import { publicJwks, signJws } from '../../../fixtures/registration';

const AUD = 'https://bank.example/token';
let key: SigningKey;
const client = {
  client_id: 'c1',
  client_id_issued_at: 0,
  metadata: { token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], scope: 'accounts' },
  ssa: {},
  software_jwks_endpoint: 'https://directory.example/jwks',
  profile: 'obie',
} as unknown as ClientRecord;

beforeAll(async () => {
  key = await signingKey('PS256');
});

/** A token context whose clock (and the store's) is `clock.now`. */
function context(clock: { now: number }): TokenContext {
  const store = new MemoryStore({ now: () => clock.now });
  return {
    profile: obie,
    getClient: async (id) => (id === client.client_id ? client : undefined),
    fetchJwks: async () => publicJwks(key),
    claimJti: (k, exp) => store.claimOnce(k, exp),
    get now() {
      return clock.now;
    },
    clockSkewSeconds: 60,
    audiences: [AUD],
    offeredMethods: () => obie.registration.authMethods,
    skip: new Set(),
  };
}

async function attempt(ctx: TokenContext, assertion: string): Promise<string> {
  try {
    await authenticateClient({ form: {}, authorization: undefined, cert: undefined }, { client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion }, ctx);
    return 'ok';
  } catch (e) {
    return (e as RuleViolation).rule;
  }
}

describe('private_key_jwt assertion lifetime (RFC 7523 3)', () => {
  test('a 30-minute assertion is accepted, and its jti is remembered until its exp', async () => {
    const clock = { now: 1_800_000_000 };
    const ctx = context(clock);
    const assertion = await signJws({ iss: 'c1', sub: 'c1', aud: AUD, iat: clock.now, exp: clock.now + 1800, jti: 'j-30min' }, key, { kid: undefined });
    expect(await attempt(ctx, assertion)).toBe('ok');
    // 29 minutes later it is still live, and still refused as a replay.
    clock.now += 29 * 60;
    expect(await attempt(ctx, assertion)).toBe('TOKEN-ASSERTION-REPLAY');
  });

  test('60 minutes is the default cap: beyond it (and the skew) is refused', async () => {
    const clock = { now: 1_800_000_000 };
    const ctx = context(clock);
    expect(obie.token.maxAssertionLifetimeSeconds).toBe(3600);
    const hour = await signJws({ iss: 'c1', sub: 'c1', aud: AUD, exp: clock.now + 3600, jti: 'j-hour' }, key);
    expect(await attempt(ctx, hour)).toBe('ok');
    const over = await signJws({ iss: 'c1', sub: 'c1', aud: AUD, exp: clock.now + 3600 + 61, jti: 'j-over' }, key);
    expect(await attempt(ctx, over)).toBe('TOKEN-ASSERTION-CLAIMS');
  });

  test('exp stays required and an expired assertion is refused', async () => {
    const clock = { now: 1_800_000_000 };
    const ctx = context(clock);
    expect(await attempt(ctx, await signJws({ iss: 'c1', sub: 'c1', aud: AUD, jti: 'j-noexp' }, key))).toBe('TOKEN-ASSERTION-CLAIMS');
    expect(await attempt(ctx, await signJws({ iss: 'c1', sub: 'c1', aud: AUD, exp: clock.now - 120, jti: 'j-old' }, key))).toBe('TOKEN-ASSERTION-CLAIMS');
  });
});
