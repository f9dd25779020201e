import { checks, checkById } from '../../conformance/rules';
import { evaluate, quotesFor, type Slot } from '../../conformance/rules/define';
import { QUOTE_MAX, quotes } from '../../conformance/rules/quotes';
import { references, specUrl } from '../../catalogue/references';
import type { Recorded } from '../../conformance/exchange';

const ids = new Set(checks.map((c) => c.id));

/** A quote cites one of the check's own codes, or a subsection of one (RFC6750-3.1 under RFC6750-3). */
const ownCode = (ref: string, spec: readonly string[]) => spec.some((s) => ref === s || ref.startsWith(`${s}.`));

/**
 * Checks whose sentence is in a section their spec links do not name: the OBIE "Of JWS & JWKS"
 * section (OBDCR-GEN), where the SSA's keys are described, for checks that link the Software
 * Statement section (OBDCR-SSA) only.
 */
const CITE_ANOTHER_SECTION = ['SSA-CLAIMS-MISSING', 'SSA-JWKS-UNTRUSTED-HOST'];

describe('spec quotes (conformance/rules/quotes.ts)', () => {
  test('every check has at least one quote', () => {
    expect(checks.filter((c) => !quotesFor(c)?.length).map((c) => c.id)).toEqual([]);
  });

  test('no quote is orphaned: each id is a check', () => {
    expect(Object.keys(quotes).filter((id) => !ids.has(id))).toEqual([]);
  });

  test('every quote cites a code of catalogue/references.ts', () => {
    const bad = Object.entries(quotes).flatMap(([id, qs]) => qs.filter((q) => !Object.hasOwn(references, q.ref)).map((q) => `${id}: ${q.ref}`));
    expect(bad).toEqual([]);
  });

  test("each check cites at least one of its own spec codes (or a subsection of one), but for the listed exceptions", () => {
    const off = checks.filter((c) => !quotesFor(c)?.some((q) => ownCode(q.ref, c.spec))).map((c) => c.id);
    expect(off.sort()).toEqual([...CITE_ANOTHER_SECTION].sort());
  });

  test(`texts are non-empty single-spaced sentences of at most ${QUOTE_MAX} characters; a why is one short clause`, () => {
    for (const [id, qs] of [...Object.entries(quotes), ...checks.filter((c) => c.quotes).map((c) => [c.id, c.quotes!] as const)]) {
      for (const q of qs) {
        const where = `${id} ${q.ref}`;
        expect([where, q.text.trim().length > 0]).toEqual([where, true]);
        expect([where, q.text.length <= QUOTE_MAX]).toEqual([where, true]);
        expect([where, q.text === q.text.trim() && !/\s{2,}/.test(q.text)]).toEqual([where, true]);
        if (q.why !== undefined) expect([where, q.why.length > 0 && q.why.length <= 150]).toEqual([where, true]);
      }
    }
  });
});

const recorded = (name: string, status: number, body: Record<string, unknown>, sent: Record<string, unknown> = {}): Recorded => ({
  name, request: { method: 'POST', url: 'https://bank.example.com/register', headers: {} }, status,
  headers: { 'content-type': 'application/json' }, text: JSON.stringify(body), json: body, ms: 1, sent,
  ...(status === 201 ? { clientId: 'c1' } : {}),
});
const slots = (name: string, slot: Slot) => new Map<string, Slot>([[name, slot]]);

describe('evaluate: a failure carries the sentence it relies on', () => {
  const redirect = checkById('REDIRECT-NOT-IN-SSA')!;
  const exchange = redirect.exchanges[0]!;

  test('a failing verdict carries the first quote, its link and the others as seeAlso', () => {
    const r = evaluate(redirect, slots(exchange, recorded(exchange, 201, { client_id: 'c1' })));
    expect(r.outcome).toBe('fail');
    expect(r.quote).toEqual({
      ref: 'OBDCR-REQ',
      text: 'If the software statement defines a master set of redirect URIs, this must match or be a subset of the redirect URIs in the SSA.',
      link: specUrl('OBDCR-REQ'),
    });
    expect(r.seeAlso).toEqual([{ ref: 'RFC7591-3.2.2', text: 'invalid_redirect_uri The value of one or more redirection URIs is invalid.', link: specUrl('RFC7591-3.2.2') }]);
    expect(r.message).not.toContain(r.quote!.text);
  });

  test('a passing verdict carries no quote', () => {
    const r = evaluate(redirect, slots(exchange, recorded(exchange, 400, { error: 'invalid_redirect_uri', error_description: 'not in the SSA' })));
    expect(r.outcome).toBe('pass');
    expect(r.quote).toBeUndefined();
    expect(r.seeAlso).toBeUndefined();
  });

  test('a SHOULD failure (warn) carries its SHOULD sentence', () => {
    const reg = checkById('DCR-001-REG-ENDPOINT')!;
    const r = evaluate(reg, slots(reg.exchanges[0]!, recorded(reg.exchanges[0]!, 200, { issuer: 'https://bank.example.com' })));
    expect(r.outcome).toBe('warn');
    expect(r.quote?.ref).toBe('OBDCR-GEN');
    expect(r.quote?.text).toMatch(/^The URL of the registration end-point should be advertised/);
  });

  test('a MUST failure carries its MUST sentence: an x5c header fails, as OBIE says the key "must not be embedded"', () => {
    const x5c = checkById('JWS-NO-X5C')!;
    const r = evaluate(x5c, slots(x5c.exchanges[0]!, recorded(x5c.exchanges[0]!, 201, { client_id: 'c1' })));
    expect(r.outcome).toBe('fail');
    expect(r.quote?.text).toMatch(/^The public key must not be embedded in the payload itself/);
  });

  test('a near-miss check says how the sentence applies', () => {
    const recase = checkById('REDIRECT-CASE')!;
    const r = evaluate(recase, slots(recase.exchanges[0]!, recorded(recase.exchanges[0]!, 201, { client_id: 'c1' })));
    expect(r.outcome).toBe('fail');
    expect(r.quote?.why).toMatch(/does not match/);
    expect(r.seeAlso?.[0]?.ref).toBe('RFC6749-3.1.2.3');
  });

  test('skipped and blocked checks judged nothing and carry no quote', () => {
    const skipped = evaluate(redirect, slots(exchange, { skipped: 'no SSA redirect URIs to vary' }));
    expect(skipped.outcome).toBe('skip');
    expect(skipped.quote).toBeUndefined();
    const blocked = evaluate(redirect, slots(exchange, { blocked: 'blocked: register-valid was refused', root: 'register-valid', summary: '400 invalid_request' }));
    expect(blocked.outcome).toBe('blocked');
    expect(blocked.quote).toBeUndefined();
  });
});
