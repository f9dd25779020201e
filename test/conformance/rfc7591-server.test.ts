import { createCa, issueCert, type PemPair } from '../../common/certs';
import { runPack } from '../../conformance/runner';
import { checks } from '../../conformance/rules';
import { resolveTarget, type Target } from '../../conformance/target';
import { PROVEN_BY_RFC7591_SERVER } from './proven-elsewhere';
import { RFC7591_BUGS, startRfc7591Server, type Rfc7591Bug, type Rfc7591Server } from './servers/rfc7591-server';
import { expectAllPass, expectCaught, expectTableComplete, idsWith as ids, serversClosedAfterAll, type CaughtBug } from './dialect-proof';

/**
 * The rfc7591 dialect's checks against a JSON registration server of our own
 * (servers/rfc7591-server.ts): the correct server passes every one; each one-flag bug is caught by
 * exactly its checks (a SHOULD check warns), nothing else of the run fails, warns or is blocked.
 * The mock bank speaks OBIE, so this table is what proves these checks can fail.
 */
const IAT = 'iat-for-the-conformance-pack';

export const BUG_TABLE: CaughtBug<Rfc7591Bug>[] = [
  { bug: 'register-200', expect: ['RFC7591-REGISTER-201'] },
  { bug: 'metadata-dropped', expect: ['RFC7591-REGISTER-METADATA-RETURNED'] },
  { bug: 'no-secret-expiry', expect: ['RFC7591-SECRET-EXPIRES-AT'] },
  { bug: 'unknown-metadata-refused', expect: ['RFC7591-UNKNOWN-METADATA-IGNORED'] },
  { bug: 'redirect-uris-optional', expect: ['RFC7591-REDIRECT-URIS-ABSENT'] },
  { bug: 'fragment-accepted', expect: ['RFC7591-REDIRECT-FRAGMENT'] },
  { bug: 'jwks-both-accepted', expect: ['RFC7591-JWKS-AND-JWKS-URI'] },
  // RFC 7591 2.1 says SHOULD: a warning.
  { bug: 'inconsistent-accepted', expect: ['RFC7591-GRANT-RESPONSE-INCONSISTENT'] },
  { bug: 'iat-unchecked', expect: ['RFC7591-IAT-ABSENT', 'RFC7591-IAT-WRONG'] },
  { bug: 'no-client-uri', expect: ['RFC7592-RAT-ISSUED'] },
  { bug: 'rat-unchecked', expect: ['RFC7592-RAT-WRONG', 'RFC7592-RAT-TRUNCATED', 'RFC7592-RAT-OTHER-CLIENT'] },
  // Every 401 without its challenge: the registration endpoint's (initial access token) and the configuration endpoint's.
  { bug: 'no-www-authenticate', expect: ['RFC7591-IAT-ABSENT', 'RFC7591-IAT-WRONG', 'RFC7592-RAT-WRONG', 'RFC7592-RAT-TRUNCATED', 'RFC7592-RAT-ABSENT', 'RFC7592-RAT-OTHER-CLIENT'] },
  { bug: 'get-text-plain', expect: ['RFC7592-READ-200'] },
  { bug: 'put-text-plain', expect: ['RFC7592-UPDATE-200'] },
  // A PUT acknowledged but not stored: the read-back of the change and of the omitted member both show the old record.
  { bug: 'put-stores-nothing', expect: ['RFC7592-UPDATE-READBACK', 'RFC7592-UPDATE-OMITTED-REMOVED'] },
  { bug: 'put-augments', expect: ['RFC7592-UPDATE-OMITTED-REMOVED'] },
  { bug: 'put-client-id-changeable', expect: ['RFC7592-PUT-CLIENT-ID-OTHER', 'RFC7592-PUT-PROBES-READBACK'] },
  { bug: 'secret-overwritable', expect: ['RFC7592-PUT-CLIENT-SECRET-CHOSEN', 'RFC7592-PUT-PROBES-READBACK'] },
  // The fields the client must not send, taken from it: SHOULD rows (the RFC's MUST NOT binds the client), each warns.
  { bug: 'server-fields-taken', expect: ['RFC7592-PUT-REGISTRATION-ACCESS-TOKEN', 'RFC7592-PUT-REGISTRATION-CLIENT-URI', 'RFC7592-PUT-CLIENT-ID-ISSUED-AT', 'RFC7592-PUT-CLIENT-SECRET-EXPIRES-AT'] },
  { bug: 'delete-200', expect: ['RFC7592-DELETE-204'] },
  { bug: 'delete-keeps-client', expect: ['RFC7592-DELETED-RAT-REFUSED'] },
];

let tls: PemPair;
let ca: string;
const servers = serversClosedAfterAll<Rfc7591Server>();

beforeAll(async () => {
  const authority = await createCa('rfc7591 test server CA');
  ca = authority.cert;
  tls = await issueCert(authority, [{ name: 'commonName', value: '127.0.0.1' }], { kind: 'server', hosts: ['127.0.0.1'] });
}, 60_000);

/** A server of ours with these bugs, and the pack's target for it; iat null: open registration. */
async function target(bugs: Rfc7591Bug[] = [], iat: string | null = IAT): Promise<Target> {
  const server = servers.started(await startRfc7591Server({ tls, bugs, ...(iat ? { initialAccessToken: iat } : {}) }));
  return { ...resolveTarget({ dialect: 'rfc7591', discoveryUrl: server.discoveryUrl, ...(iat ? { initialAccessToken: iat } : {}) }), ca };
}

const rfc7591Checks = PROVEN_BY_RFC7591_SERVER(checks);

test('the tables: every bug is in the table, every id is a check, and every rfc7591 check is expected to fail by some bug', () => {
  expectTableComplete(BUG_TABLE, RFC7591_BUGS, rfc7591Checks);
});

test('the correct server with an initial access token: every rfc7591 check passes, every other check is n/a', async () => {
  expectAllPass(await runPack(await target()), rfc7591Checks);
}, 60_000);

test('the correct server with open registration: the initial access token rows are declared skips, the rest passes', async () => {
  const run = await runPack(await target([], null));
  expect(ids(run.results, 'skip')).toEqual(['RFC7591-IAT-ABSENT', 'RFC7591-IAT-WRONG']);
  expect(ids(run.results, 'pass')).toEqual(rfc7591Checks.filter((id) => !id.startsWith('RFC7591-IAT-')).sort());
}, 60_000);

describe('each one-flag bug is caught by exactly its checks', () => {
  test.each(BUG_TABLE)('$bug: $expect', async ({ bug, expect: expected }) => {
    expectCaught(await runPack(await target([bug])), expected);
  }, 30_000);
});
