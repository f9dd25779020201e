import { definePlan, executePlan, STEP_CONCURRENCY, type ExchangeStep } from '../../conformance/plans/plan';
import type { Recorded } from '../../conformance/exchange';
import type { Session } from '../../conformance/session';
import { isRecorded } from '../../conformance/rules/define';

/**
 * The scheduler of a plan's steps, on a fake session: barrier steps run alone and in order,
 * consecutive concurrent steps are in flight together up to the limit, each after what it needs,
 * and a refused control still blocks what needs it.
 */

function recorded(name: string, status: number): Recorded {
  return { name, request: { method: 'POST', url: 'https://bank.test/register', headers: {} }, status, headers: {}, text: '', json: undefined, ms: 1, sent: {} };
}

/** The concurrency each cleanup was asked for. */
const cleanups: Array<number | undefined> = [];

function fakeSession(concurrency?: number): Session {
  const target = { capabilities: { management: false, operations: [] }, ...(concurrency !== undefined ? { concurrency } : {}) };
  return { target, discovery: recorded('discovery', 200), unresponsive: undefined, cleanup: async (n?: number) => (cleanups.push(n), []) } as unknown as Session;
}

/** Records when each step starts and ends, and how many are in flight at most. */
function tracer() {
  const events: string[] = [];
  let inFlight = 0;
  let most = 0;
  const step = (name: string, opts: { concurrent?: boolean; needs?: string[]; status?: number; ms?: number } = {}): ExchangeStep => ({
    name,
    ...(opts.needs ? { needs: opts.needs } : {}),
    ...(opts.concurrent ? { concurrent: true } : {}),
    run: async () => {
      events.push(`start ${name}`);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, opts.ms ?? 5));
      inFlight--;
      events.push(`end ${name}`);
      return recorded(name, opts.status ?? 201);
    },
  });
  return { events, step, most: () => most };
}

const plan = (steps: ExchangeStep[]) => definePlan({ id: 'fake', title: 'fake', steps, checks: [] });

test('barrier steps run one after another, in plan order', async () => {
  const t = tracer();
  await executePlan(plan([t.step('a'), t.step('b'), t.step('c')]), fakeSession());
  expect(t.events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  expect(t.most()).toBe(1);
});

test('consecutive concurrent steps are in flight together, at most STEP_CONCURRENCY, between barriers', async () => {
  const t = tracer();
  const probes = Array.from({ length: 10 }, (_, i) => t.step(`p${i}`, { concurrent: true, needs: ['control'] }));
  await executePlan(plan([t.step('control'), ...probes, t.step('after')]), fakeSession());
  expect(t.most()).toBe(STEP_CONCURRENCY);
  expect(t.events.slice(0, 2)).toEqual(['start control', 'end control']);
  // The barrier after them starts only once every probe has ended.
  expect(t.events.indexOf('start after')).toBe(t.events.length - 2);
  expect(t.events.filter((e) => e.startsWith('end p'))).toHaveLength(10);
});

test("the plan's cleanup deletes its clients as many at a time as its steps are in flight", async () => {
  cleanups.length = 0;
  const t = tracer();
  await executePlan(plan([t.step('a')]), fakeSession());
  await executePlan(plan([t.step('a')]), fakeSession(1));
  await executePlan(plan([t.step('a')]), fakeSession(), undefined, { concurrency: 2 });
  expect(cleanups).toEqual([STEP_CONCURRENCY, 1, 2]);
});

test("the target's concurrency bounds the steps in flight; 1 is strictly one after another", async () => {
  for (const limit of [1, 2]) {
    const t = tracer();
    await executePlan(plan([t.step('control'), ...Array.from({ length: 6 }, (_, i) => t.step(`p${i}`, { concurrent: true, needs: ['control'] }))]), fakeSession(limit));
    expect(t.most()).toBe(limit);
  }
  const t = tracer();
  await executePlan(plan([t.step('x', { concurrent: true }), t.step('y', { concurrent: true })]), fakeSession(1));
  expect(t.events).toEqual(['start x', 'end x', 'start y', 'end y']);
});

test('a concurrent step waits for the concurrent step it needs, not for the others', async () => {
  const t = tracer();
  await executePlan(
    plan([t.step('first', { concurrent: true, ms: 30 }), t.step('slow', { concurrent: true, ms: 60 }), t.step('second', { concurrent: true, needs: ['first'], ms: 5 })]),
    fakeSession(),
  );
  expect(t.events.indexOf('start second')).toBeGreaterThan(t.events.indexOf('end first'));
  expect(t.events.indexOf('start second')).toBeLessThan(t.events.indexOf('end slow'));
});

test('a refused control blocks its concurrent probes, which are never sent', async () => {
  const t = tracer();
  const slots = await executePlan(plan([t.step('control', { concurrent: true, status: 400 }), t.step('probe', { concurrent: true, needs: ['control'] })]), fakeSession());
  expect(t.events).toEqual(['start control', 'end control']);
  const probe = slots.get('probe');
  expect(isRecorded(probe)).toBe(false);
  expect(probe).toMatchObject({ root: 'control' });
});

test("rows naming the pack's host run side by side, each on a host of its own, unless the target fixes one host for the run", async () => {
  const { registrationPlan } = await import('../../conformance/plans/registration.plan');
  const { ssaPlan } = await import('../../conformance/plans/ssa.plan');
  const hostRows = ['jws-jku-hosted', 'jws-x5u-hosted', 'ssa-jku', 'ssa-jwks-other-host'];
  const steps = [...registrationPlan.steps, ...ssaPlan.steps].filter((s) => hostRows.includes(s.name));
  expect(steps.map((s) => s.name).sort()).toEqual([...hostRows].sort());
  const concurrent = (jwksHost?: { bind?: string; publicUrl?: string }) =>
    steps.map((s) => (typeof s.concurrent === 'function' ? s.concurrent({ target: { ...(jwksHost ? { jwksHost } : {}) } } as unknown as Session) : s.concurrent));
  expect(concurrent()).toEqual([true, true, true, true]);
  expect(concurrent({ bind: '0.0.0.0:8443' })).toEqual([false, false, false, false]);
  expect(concurrent({ publicUrl: 'https://tpp-host.example:8443' })).toEqual([false, false, false, false]);
});
