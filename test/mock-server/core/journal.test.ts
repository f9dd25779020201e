/**
 * The journal's redaction of a JWS nested in a value is kept between entries (the same SSA in
 * request after request): an entry made from the cache must be the one made without it, under
 * whatever path the JWS sits, with its marks moved there, and never with the signature.
 */
import { Redactions, walk, journalRequest, REDACTED } from '../../../mock-server/core/journal';
import { decodeJws } from '../../../common/jws';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const ssa = (n: number) => `${enc({ alg: 'PS256', kid: 'dir' })}.${enc({ iss: 'dir', software_id: `sw-${n}`, client_secret: 'hunter2', jwk: { kty: 'RSA', n: 'x', e: 'AQAB', d: 'PRIVATE' } })}.c2lnbmF0dXJl`;

function walked(value: unknown, path: string) {
  const marks = new Redactions();
  return { value: walk(value, path, marks), marks: marks.list() };
}

test('the same nested JWS, walked again, under another path: the same redacted form, the marks under the new path', () => {
  const s = ssa(1);
  const first = walked({ software_statement: s }, 'request.form');
  const again = walked({ software_statement: s }, 'request.form');
  const elsewhere = walked({ deep: [{ software_statement: s }] }, 'answer');
  expect(again).toEqual(first);
  expect(first.marks).toEqual([
    'request.form.software_statement.signature',
    'request.form.software_statement.claims.client_secret',
    'request.form.software_statement.claims.jwk.d',
  ]);
  expect(elsewhere.marks).toEqual([
    'answer.deep[0].software_statement.signature',
    'answer.deep[0].software_statement.claims.client_secret',
    'answer.deep[0].software_statement.claims.jwk.d',
  ]);
  const claims = (first.value as { software_statement: { claims: Record<string, unknown> } }).software_statement.claims;
  expect(claims.client_secret).toBe(REDACTED);
  expect((claims.jwk as Record<string, unknown>).d).toBe(REDACTED);
  expect(JSON.stringify([first, again, elsewhere])).not.toMatch(/c2lnbmF0dXJl|hunter2|PRIVATE/);
});

test('a kept JWS cannot be changed through one entry under another', () => {
  const s = ssa(2);
  const a = walked({ software_statement: s }, 'answer').value as { software_statement: { claims: Record<string, unknown> } };
  expect(() => {
    a.software_statement.claims.software_id = 'changed';
  }).toThrow(TypeError);
  const b = walked({ software_statement: s }, 'answer').value as { software_statement: { claims: Record<string, unknown> } };
  expect(b.software_statement.claims.software_id).toBe('sw-2');
});

test('the marks of an entry stay bounded, with the cache as without it', () => {
  // 60 secrets in one nested JWS: past the 50 paths an entry names, a count.
  const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`secret_${i}`, 'x']));
  const s = `${enc({ alg: 'PS256' })}.${enc(many)}.c2ln`;
  const first = walked({ software_statement: s }, 'request.form');
  const again = walked({ software_statement: s }, 'request.form');
  expect(again).toEqual(first);
  expect(first.marks).toHaveLength(51);
  expect(first.marks.at(-1)).toBe('... and 11 more');
});

test('the request JWS itself: its signature is dropped and its nested SSA redacted, entry after entry', () => {
  const s = ssa(3);
  const request = (jti: string) => `${enc({ alg: 'PS256', kid: 'k' })}.${enc({ jti, software_statement: s })}.cmVxdWVzdA`;
  for (const jti of ['a', 'b']) {
    const marks = new Redactions();
    const out = journalRequest(request(jti), 'Bearer abc', marks);
    expect(marks.list()).toEqual([
      'request.authorization',
      'request.jwt.signature',
      'request.jwt.claims.software_statement.signature',
      'request.jwt.claims.software_statement.claims.client_secret',
      'request.jwt.claims.software_statement.claims.jwk.d',
    ]);
    expect(JSON.stringify(out)).not.toMatch(/cmVxdWVzdA|c2lnbmF0dXJl|hunter2|PRIVATE|abc/);
    expect((out!.jwt as { claims: { jti: string } }).claims.jti).toBe(jti);
  }
});

test('the request JWS as the verifier decoded it is kept as decoding the body would keep it; a decoding of another body is not used', () => {
  const body = `${enc({ alg: 'PS256', kid: 'k', jwk: { kty: 'RSA', n: 'x', e: 'AQAB', d: 'PRIVATE' } })}.${enc({ jti: 'j', client_secret: 'hunter2', software_statement: ssa(4) })}.cmVxdWVzdA`;
  const other = `${enc({ alg: 'PS256' })}.${enc({ jti: 'other' })}.c2ln`;
  const plain = new Redactions();
  const expected = journalRequest(` ${body}\n`, undefined, plain);
  const given = new Redactions();
  expect(journalRequest(` ${body}\n`, undefined, given, decodeJws(body, 'test'))).toEqual(expected);
  expect(given.list()).toEqual(plain.list());
  expect(given.list()).toContain('request.jwt.header.jwk.d');
  const mismatched = new Redactions();
  expect(journalRequest(body, undefined, mismatched, decodeJws(other, 'test'))).toEqual(expected);
  expect(mismatched.list()).toEqual(plain.list());
});

test('member names judged once are judged alike the next time: secrets, private key members, credentials as names', () => {
  const value = () => ({
    client_secret: 's3cret',
    'odd name': { kty: 'oct', k: 'KEY' },
    [`${enc({ alg: 'PS256' })}.${enc({ a: 1 })}.c2ln`]: '',
    'Bearer abcdef': 1,
    redirect_uris: ['https://x.example/cb'],
  });
  const first = walked(value(), 'request.form');
  for (let i = 0; i < 3; i++) expect(walked(value(), 'request.form')).toEqual(first);
  expect(first.marks).toEqual([
    'request.form.client_secret',
    'request.form["odd name"].k',
    'request.form (a member name\'s signature)',
    'request.form (a member name)',
  ]);
  expect(JSON.stringify(first)).not.toMatch(/s3cret|KEY|c2ln|abcdef/);
});
