import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { lint } from '../../conformance/lint';

const NOW = 1_700_000_000; // 2023-11-14: the seeds' fixed dates are judged against one instant
const seed = (name: string) => readFileSync(new URL(`../../fixtures/seeds/${name}`, import.meta.url), 'utf8');
const rulesOf = async (name: string, opts = {}) => (await lint(seed(name), { now: NOW, ...opts })).findings.map((f) => `${f.on}:${f.rule}`);

test('004: HS256 SSA, expired exp, http redirect URI and a scope outside the allowed set are all found', async () => {
  expect(await rulesOf('004-dedicated-request.jwt')).toEqual([
    'software_statement:SSA-ALG',
    'request:REQ-ISS',
    'request:REQ-EXP',
    'request:REQ-JTI',
    'request:REQ-SOFTWARE-ID',
    'request:REQ-REDIRECT-HTTPS',
    'request:REQ-REDIRECT-SUBSET',
    'request:REQ-SCOPE-ROLES',
  ]);
});

test('004 with the bank audience given also flags aud', async () => {
  expect(await rulesOf('004-dedicated-request.jwt', { audiences: ['https://bank.example.com'] })).toContain('request:REQ-AUD');
});

test('002 (OB-style SSA): a far exp, redirect URIs outside the SSA and an unsupported grant type', async () => {
  expect(await rulesOf('002-wso2-request-ob.jwt')).toEqual(['request:REQ-EXP-RANGE', 'request:REQ-REDIRECT-SUBSET', 'request:REQ-GRANT-TYPES']);
});

test('002 (CDR-style SSA): the SSA lacks OB claims, the iss is not Base62 and tls_client_auth has no DN', async () => {
  expect(await rulesOf('002-wso2-request-cdr.jwt')).toEqual([
    'software_statement:SSA-CLAIMS',
    'request:REQ-ISS-FORMAT',
    'request:REQ-EXP-RANGE',
    'request:REQ-REDIRECT-SUBSET',
    'request:REQ-TLS-DN-PRESENCE',
    'request:REQ-GRANT-TYPES',
  ]);
});

test('a bare SSA is linted as a software statement; the 002 SSA is statically valid', async () => {
  const r = await lint(seed('002-wso2-ssa.jwt'), { now: NOW });
  expect(r.kind).toBe('software_statement');
  expect(r.findings).toEqual([]);
});

test('garbage is one JWS-FORMAT finding; every finding carries its rule id in the detail', async () => {
  expect((await lint('not-a-jwt')).findings.map((f) => f.rule)).toEqual(['JWS-FORMAT']);
  for (const f of (await lint(seed('004-dedicated-request.jwt'), { now: NOW })).findings) expect(f.detail.startsWith(`${f.rule}:`)).toBe(true);
});

test('the committed seed JWTs are verbatim copies of the shared source documents', () => {
  const shared = '/work/shared/seeds';
  if (!existsSync(shared)) return; // the copies are what the project uses; the originals live outside it
  const text = readdirSync(shared).filter((f) => /^00[24]_/.test(f)).map((f) => readFileSync(`${shared}/${f}`, 'utf8')).join('\n');
  for (const f of ['002-wso2-request-ob.jwt', '002-wso2-ssa.jwt', '002-wso2-request-cdr.jwt', '004-dedicated-request.jwt']) expect(text.includes(seed(f).trim())).toBe(true);
});
