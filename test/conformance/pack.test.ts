import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { mockTarget } from '../../integration/mock-target';
import { openSession } from '../../conformance/session';
import { plans } from '../../conformance/plans';
import { managementPlan } from '../../conformance/plans/management.plan';
import { registrationPlan } from '../../conformance/plans/registration.plan';
import { tokenPlan } from '../../conformance/plans/token.plan';
import { executePlan } from '../../conformance/plans/plan';
import { evaluate, type CheckResult } from '../../conformance/rules/define';
import { runPack } from '../../conformance/runner';
import type { RootCause } from '../../conformance/report/model';

let bank: MockBank;
const results: CheckResult[] = [];

let rootCauses: RootCause[] = [];
beforeAll(async () => {
  bank = await startMockBank();
  const run = await runPack(mockTarget(bank));
  results.push(...run.results);
  rootCauses = run.rootCauses;
  expect(run.results.length).toBe(plans.reduce((n, p) => n + p.checks.length, 0));
}, 120_000);
afterAll(() => bank.close());

test('the whole pack runs against the obie mock and every MUST check passes', () => {
  const failed = results.filter((r) => r.outcome === 'fail').map((r) => `${r.id}: ${r.message} ${JSON.stringify(r.evidence).slice(0, 400)}`);
  expect(failed).toEqual([]);
});

test('no SHOULD check warns against the obie mock', () => {
  expect(results.filter((r) => r.outcome === 'warn').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
});

/** The mock's token endpoint serves client_credentials only, so discovery advertises no refresh_token grant to exercise. */
const DECLARED_SKIPS = ['ADVERTISED-GRANT-REFRESH-TOKEN'];

test('nothing is skipped or blocked against the mock but the declared skips: it implements the whole contract, management included', () => {
  expect(results.filter((r) => r.outcome === 'skip' || r.outcome === 'blocked').map((r) => `${r.id}: ${r.outcome}`)).toEqual(DECLARED_SKIPS.map((id) => `${id}: skip`));
  expect(rootCauses).toEqual([]);
  expect(results.filter((r) => r.outcome === 'pass').length).toBeGreaterThanOrEqual(60);
});

test('negative tests leave no registration behind: what the run created is deleted', async () => {
  expect(await bank.store.listClients()).toEqual([]);
});

test('a target declaring management: false turns the management checks into skips with that reason', async () => {
  const slots = await executePlan(managementPlan, await openSession(mockTarget(bank, { management: false })));
  const skipped = managementPlan.checks.map((c) => evaluate(c, slots));
  expect(skipped.every((r) => r.outcome === 'skip' && /declares management: false/.test(r.message))).toBe(true);
});

test('operations without DELETE: the checks that need it are declared skips naming DELETE, the rest run', async () => {
  const slots = await executePlan(managementPlan, await openSession(mockTarget(bank, { operations: ['GET', 'PUT'] })));
  const results = managementPlan.checks.map((c) => evaluate(c, slots));
  const skipped = results.filter((r) => r.outcome === 'skip');
  expect(skipped.map((r) => r.id).sort()).toEqual(['DCR-002-DELETE-204', 'DCR-003-GET-DELETED', 'DCR-009-PUT-DELETED', 'DEL-REVOKES-TOKEN', 'DEL-TOKEN-ENDPOINT-REFUSED', 'MGT-CROSS-CLIENT-DELETE-403', 'MGT-DELETE-BY-SOFTWARE-ID']);
  expect(skipped.every((r) => /does not declare DELETE/.test(r.message))).toBe(true);
  expect(results.filter((r) => r.outcome === 'fail')).toEqual([]);
  // Without DELETE the pack cannot clean up after itself; remove its clients behind the bank's back.
  for (const c of await bank.store.listClients()) await bank.store.deleteClient(c.client_id);
});

test.each([['private_key_jwt'], ['client_secret_basic']] as const)('preferred auth method %s: registration and management pass, mTLS-only checks skip with the reason', async (method) => {
  const target = mockTarget(bank, { authMethods: [method] });
  for (const plan of [registrationPlan, managementPlan]) {
    const slots = await executePlan(plan, await openSession(target));
    const results = plan.checks.map((c) => evaluate(c, slots));
    expect(results.filter((r) => r.outcome === 'fail').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    for (const r of results.filter((x) => x.outcome === 'skip')) expect(r.message).toMatch(/preferred method|does not declare/);
  }
  expect(await bank.store.listClients()).toEqual([]);
});

test('token plan: without altTransport the other-certificate probes are declared skips; a method neither advertised nor declared is skipped, saying so', async () => {
  const { altTransport: _none, ...target } = mockTarget(bank);
  const slots = await executePlan(tokenPlan, await openSession(target));
  const byId = new Map(tokenPlan.checks.map((c) => [c.id, evaluate(c, slots)]));
  expect(byId.get('TOKEN-TLS-OTHER-DN')).toMatchObject({ outcome: 'skip', message: expect.stringMatching(/altTransportCert/) });
  expect([...byId.values()].filter((r) => r.outcome !== 'pass' && r.outcome !== 'skip')).toEqual([]);
  const mgmt = await executePlan(managementPlan, await openSession(target));
  expect(evaluate(managementPlan.checks.find((c) => c.id === 'MGT-TOKEN-OTHER-CERT')!, mgmt)).toMatchObject({ outcome: 'skip', message: expect.stringMatching(/altTransportCert/) });

  const quiet = await startMockBank({ faults: ['DISC-AUTH-METHODS'] });
  try {
    const only = await executePlan(tokenPlan, await openSession(mockTarget(quiet, { authMethods: ['tls_client_auth'] })));
    const results = tokenPlan.checks.map((c) => evaluate(c, only));
    expect(results.filter((r) => r.outcome === 'fail' || r.outcome === 'blocked')).toEqual([]);
    expect(results.find((r) => r.id === 'AUTH-METHOD-TLS-CLIENT-AUTH')?.outcome).toBe('pass');
    for (const id of ['AUTH-METHOD-PRIVATE-KEY-JWT', 'AUTH-METHOD-CLIENT-SECRET-BASIC', 'AUTH-METHOD-CLIENT-SECRET-POST', 'TOKEN-ASSERTION-REPLAY', 'TOKEN-SECRET-WRONG']) {
      expect(results.find((r) => r.id === id)).toMatchObject({ outcome: 'skip', message: expect.stringMatching(/neither discovery's token_endpoint_auth_methods_supported nor the target's authMethods/) });
    }
  } finally {
    await quiet.close();
  }
});
