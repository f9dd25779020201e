// npm run docs:screenshots: the dashboard's main views as PNGs in docs/, for the README.
//
// Starts a mock bank in-process (SEED set, so the ids repeat from one run to the next), sends it
// the traffic a test team would (registrations, a refusal, a token request, faults), then takes
// the pictures with Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) through playwright-core.
import { join } from 'node:path';
import { startMockBank } from '../mock-server/runtime';
import { createTpp } from '../fixtures/tpp';
import { getToken, registerClient } from '../fixtures/token';
import { httpsRequest } from '../fixtures/https';
import { CHROMIUM, chromiumAvailable, launchChromium, openDashboard } from '../fixtures/dashboard';

const OUT = join(import.meta.dirname, '..', 'docs');

async function main() {
  if (!chromiumAvailable()) {
    process.stderr.write(`docs:screenshots: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)\n`);
    process.exit(2);
  }
  const bank = await startMockBank({ seed: 'dashboard-screenshots' });
  const browser = await launchChromium();
  try {
    const tpp = await createTpp(bank);
    const first = await registerClient(tpp, 'tls_client_auth');
    await registerClient(tpp, 'client_secret_basic');
    await registerClient(tpp, 'private_key_jwt');
    await getToken(bank, first);
    const refused = await tpp.register(await tpp.sign(tpp.claims({ redirect_uris: ['https://attacker.example.net/callback'] })));
    if (refused.status !== 400) throw new Error(`expected a refusal, got ${refused.status}`);
    bank.faults.add({ kind: 'status', method: 'POST', path: '/register', status: 503, times: 1 });
    await tpp.register(await tpp.sign(tpp.claims()));
    bank.faults.add([
      { kind: 'delay', method: 'POST', path: '/token', ms: 1500 },
      { kind: 'status', method: 'GET', path: '/register/*', status: 500, times: 3 },
      { kind: 'drop', method: '*', path: '/.well-known/**', times: 2 },
      { kind: 'rule', rule: 'REQ-SCOPE-ROLES', enabled: false },
    ]);
    await httpsRequest(`${bank.url}/.well-known/openid-configuration`, { ca: bank.ca }).catch(() => undefined);

    const { page, problems } = await openDashboard(browser, bank);

    await page.goto(`${bank.url}/__admin/ui#clients`);
    await page.locator('[data-testid=client-row]').first().click();
    await page.locator('#client-detail h2').waitFor();
    await page.screenshot({ path: join(OUT, 'dashboard-clients.png') });

    await page.goto(`${bank.url}/__admin/ui#journal`);
    await page.locator('[data-testid=journal-row]', { hasText: 'REQ-REDIRECT-SUBSET' }).click();
    await page.locator('[data-testid=failing-rule]').waitFor();
    await page.screenshot({ path: join(OUT, 'dashboard-journal.png') });

    await page.goto(`${bank.url}/__admin/ui#faults`);
    await page.locator('[data-testid=fault-row]').first().waitFor();
    await page.screenshot({ path: join(OUT, 'dashboard-faults.png'), fullPage: true });

    if (problems.length) throw new Error(`the page reported: ${problems.join('; ')}`);
    process.stdout.write(`wrote ${['clients', 'journal', 'faults'].map((v) => `docs/dashboard-${v}.png`).join(', ')}\n`);
  } finally {
    await browser.close();
    await bank.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`docs:screenshots: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
