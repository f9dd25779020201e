import { loadConfig, resolveConfig, ConfigError, HELP, type MockBankConfig } from '../../../mock-server/config';
import { defaultStoreLimits, STORE_LIMIT_ENV } from '../../../mock-server/store/limits';

describe('store limits from the environment', () => {
  test('defaults fit a sandbox', () => {
    expect((loadConfig({}, []) as MockBankConfig).storeLimits).toEqual({
      clients: 10_000, clientBytes: 64 * 2 ** 20, tokens: 100_000, tokenBytes: 32 * 2 ** 20, jtis: 200_000, jtiBytes: 32 * 2 ** 20, journalBytes: 8 * 2 ** 20, outboxBytes: 8 * 2 ** 20,
    });
  });

  test('each variable sets its limit, and the defaults are not changed by it', () => {
    const cfg = loadConfig({ STORE_MAX_CLIENTS: '5', STORE_MAX_TOKEN_BYTES: '1048576', JOURNAL_MAX_BYTES: '65536', OUTBOX_MAX_BYTES: '131072' }, []) as MockBankConfig;
    expect(cfg.storeLimits).toMatchObject({ clients: 5, tokenBytes: 1_048_576, journalBytes: 65_536, outboxBytes: 131_072, jtis: 200_000 });
    expect(defaultStoreLimits.clients).toBe(10_000);
    expect((loadConfig({}, []) as MockBankConfig).storeLimits.clients).toBe(10_000);
  });

  test.each(Object.keys(STORE_LIMIT_ENV))('a bad %s stops the start naming the variable', (name) => {
    for (const raw of ['abc', '0', '-1', '1.5', '99999999999999']) {
      expect(() => loadConfig({ [name]: raw }, [])).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: raw }, [])).toThrow(new RegExp(`^${name} must`));
    }
  });

  test('every variable is in --help', () => {
    for (const name of Object.keys(STORE_LIMIT_ENV)) expect(HELP).toContain(name);
  });

  test('programmatic limits: merged over the defaults, a bad one named', () => {
    expect(resolveConfig({ storeLimits: { clients: 3 } as MockBankConfig['storeLimits'] }).storeLimits).toEqual({ ...defaultStoreLimits, clients: 3 });
    expect(() => resolveConfig({ storeLimits: { clients: 0 } as MockBankConfig['storeLimits'] })).toThrow(/storeLimits.clients \(STORE_MAX_CLIENTS\)/);
    expect(() => resolveConfig({ storeLimits: { clientz: 3 } as never })).toThrow(/unknown limit "clientz"/);
  });
});
