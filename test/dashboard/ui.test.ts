import type { Browser, Page } from 'playwright-core';
import { startMockBank, type MockBank } from '../../mock-server/runtime';
import { createTpp, type TestTpp } from '../../fixtures/tpp';
import { refusal } from '../../fixtures/https';
import { CHROMIUM, chromiumAvailable, launchChromium, openDashboard } from '../../fixtures/dashboard';
import { rules } from '../../catalogue/rules';

/**
 * The dashboard (/__admin/ui) in a real browser: Debian's Chromium driven by playwright-core.
 * On CI (CI=true) a missing Chromium fails; locally it skips, loudly.
 */
const INSTALL = `apt-get install -y --no-install-recommends chromium (or set CHROMIUM_PATH); .ci/run installs it on CI`;

const ci = Boolean(process.env.CI) && !/^(false|0)$/i.test(process.env.CI ?? '');

if (!chromiumAvailable()) {
  if (ci) {
    test('Chromium is installed for the dashboard tests', () => {
      throw new Error(`No Chromium at ${CHROMIUM}: the dashboard tests need it. Install it: ${INSTALL}`);
    });
  } else {
    process.stderr.write(`\n!!! test/dashboard/ui.test.ts SKIPPED: no Chromium at ${CHROMIUM}. Install it: ${INSTALL}\n\n`);
    test.skip(`the dashboard in a real browser (SKIPPED: no Chromium at ${CHROMIUM})`, () => undefined);
  }
} else {
  describe('dashboard in Chromium', () => {
    // About 15 s in all here; the margins are for a loaded CI machine running other suites beside it.
    const T = 45_000;
    let bank: MockBank;
    let tpp: TestTpp;
    let browser: Browser;
    let page: Page;
    let problems: string[];

    beforeAll(async () => {
      [bank, browser] = await Promise.all([startMockBank(), launchChromium()]);
      tpp = await createTpp(bank);
      ({ page, problems } = await openDashboard(browser, bank));
      page.setDefaultTimeout(15_000);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await bank?.close();
    });
    afterEach(() => {
      // A CSP violation, a script error or an alert() from injected markup all land here.
      expect(problems).toEqual([]);
    });

    const tab = (name: string) => page.click(`nav a[data-tab=${name}]`);
    const clearJournalFilters = async () => {
      for (const f of ['filter-path', 'filter-rule', 'filter-code']) await page.fill(`[data-testid=${f}]`, '');
      await page.selectOption('[data-testid=filter-status]', '');
    };

    test('the page is served with a strict Content-Security-Policy', async () => {
      const res = await page.goto(`${bank.url}/__admin/ui`);
      const csp = res!.headers()['content-security-policy']!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe');
      await page.locator('[data-testid=profile-badge]', { hasText: 'profile obie' }).waitFor();
    }, T);

    test('a registered client appears; search finds it; its detail shows the decoded SSA; it can be deleted', async () => {
      await tab('clients');
      const res = await tpp.register(await tpp.sign(tpp.claims()));
      expect(res.status).toBe(201);
      const clientId = (res.json as { client_id: string }).client_id;
      const row = page.locator(`[data-testid=client-row][data-client-id="${clientId}"]`);
      await row.waitFor(); // live: no reload
      await page.fill('[data-testid=client-search]', 'no-such-client');
      await row.waitFor({ state: 'detached' });
      await page.fill('[data-testid=client-search]', clientId.slice(0, 13));
      await row.click();
      const detail = page.locator('[data-testid=client-detail]');
      await detail.locator('h2', { hasText: clientId }).waitFor();
      const text = await detail.innerText();
      expect(text).toMatch(/software statement claims/i);
      expect(text).toContain(tpp.softwareId);
      expect(text).toContain('"alg": "PS256"'); // the SSA header, decoded in the page
      await page.click('[data-testid=client-delete]');
      await page.click('[data-testid=client-delete]'); // the second click confirms
      await row.waitFor({ state: 'detached' });
      expect(await bank.store.getClient(clientId)).toBeUndefined();
      await page.fill('[data-testid=client-search]', '');
    }, T);

    test('a refused registration: opened in the journal, its failing rule, title and error_description, shown as text', async () => {
      await tab('journal');
      await clearJournalFilters();
      const evil = 'https://elsewhere.example.com/<img src=x onerror=alert(1)>';
      const res = await tpp.register(await tpp.sign(tpp.claims({ redirect_uris: [evil] })));
      expect(refusal(res)).toMatchObject({ status: 400, rule: 'REQ-REDIRECT-SUBSET' });
      await page.selectOption('[data-testid=filter-status]', 'refused');
      const row = page.locator('[data-testid=journal-row][data-status="400"]', { hasText: 'REQ-REDIRECT-SUBSET' });
      await row.click();
      expect(await page.textContent('[data-testid=failing-rule]')).toBe('REQ-REDIRECT-SUBSET');
      expect(await page.textContent('[data-testid=failing-rule-title]')).toBe(rules['REQ-REDIRECT-SUBSET'].title);
      const description = await page.textContent('[data-testid=error-description]');
      expect(description).toMatch(/^REQ-REDIRECT-SUBSET: redirect_uri ".*" is not one of the SSA software_redirect_uris$/);
      expect(description).toContain('<img src=x onerror=alert(1)>'); // as text, never as markup
      expect(await page.locator('img').count()).toBe(0);
      const failing = page.locator('[data-testid=rule-row][data-verdict=fail]');
      expect(await failing.first().getAttribute('data-rule')).toBe('REQ-REDIRECT-SUBSET');
      expect(await page.locator('[data-testid=rule-row][data-rule=SSA-SIGNATURE]').getAttribute('data-verdict')).toBe('pass');
      // The request JWT and its SSA, decoded.
      const detail = await page.innerText('[data-testid=journal-detail]');
      expect(detail).toMatch(/software statement claims/i);
      expect(detail).toContain(tpp.softwareId);
      // The rule filter finds it, another rule does not.
      await page.fill('[data-testid=filter-rule]', 'REQ-AUD');
      await row.waitFor({ state: 'detached' });
      await page.fill('[data-testid=filter-rule]', 'REQ-REDIRECT');
      await row.waitFor();
    }, T);

    test('a fault set in the page (next 1 POST /register answers 503) answers the next request, then is used up', async () => {
      await tab('faults');
      await page.selectOption('[data-testid=fault-kind]', 'status');
      await page.selectOption('[data-testid=fault-method]', 'POST');
      await page.fill('[data-testid=fault-path]', '/register');
      await page.fill('[data-testid=fault-status]', '503');
      await page.fill('[data-testid=fault-times]', '1');
      await page.click('[data-testid=fault-submit]');
      await page.locator('[data-testid=fault-msg]', { hasText: 'Added' }).waitFor();
      const faultRow = page.locator('[data-testid=fault-row][data-kind=status]');
      expect(await faultRow.locator('[data-testid=fault-remaining]').textContent()).toBe('1');
      const id = (await faultRow.getAttribute('data-fault-id'))!;

      const answered = await tpp.register(await tpp.sign(tpp.claims()));
      expect(answered.status).toBe(503);
      expect(answered.json).toMatchObject({ error: 'temporarily_unavailable' });
      await faultRow.waitFor({ state: 'detached' }); // used up
      expect((await tpp.register(await tpp.sign(tpp.claims()))).status).toBe(201);

      await tab('journal');
      await clearJournalFilters();
      const row = page.locator('[data-testid=journal-row][data-status="503"]', { hasText: `${id} status` });
      await row.click();
      expect(await page.textContent('[data-testid=why-fault]')).toContain(`Answered 503 by fault ${id}`);
    }, T);

    test('a bad fault is refused with the reason shown in the page', async () => {
      await tab('faults');
      await page.selectOption('[data-testid=fault-kind]', 'delay');
      await page.fill('[data-testid=fault-ms]', '45000');
      await page.click('[data-testid=fault-submit]');
      await page.locator('[data-testid=fault-msg]', { hasText: 'ms must be a whole number from 0 to 30000' }).waitFor();
      expect(bank.faults.list()).toEqual([]);
    }, T);
  });
}
