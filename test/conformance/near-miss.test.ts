import { nearMiss } from '../../conformance/near-miss';

/** Each near miss differs from the SSA URI by the one thing a lenient matcher ignores, and is still a valid absolute https URI. */
const ssa = 'https://tpp.example.com/callback';

test.each([
  ['extended', 'https://tpp.example.com/callback/extra'],
  ['recased', 'https://tpp.example.com/CALLBACK'],
  ['slash', 'https://tpp.example.com/callback/'],
  ['query', 'https://tpp.example.com/callback?next=https%3A%2F%2Fevil.example%2F'],
  ['hostSuffix', 'https://tpp.example.com.evil.example/callback'],
  ['hostPrefix', 'https://eviltpp.example.com/callback'],
  ['otherPath', 'https://tpp.example.com/evil/callback'],
  ['port', 'https://tpp.example.com:8443/callback'],
  ['userinfo', 'https://tpp.example.com@evil.example/callback'],
] as const)('%s: %s', (name, expected) => {
  const got = nearMiss[name](ssa);
  expect(got).toBe(expected);
  expect(got).not.toBe(ssa);
  expect(new URL(got).protocol).toBe('https:');
});

test('userinfo: the host is evil.example, however the URI starts', () => {
  expect(new URL(nearMiss.userinfo(ssa)).hostname).toBe('evil.example');
  expect(nearMiss.userinfo(ssa).startsWith('https://tpp.example.com')).toBe(true);
});
