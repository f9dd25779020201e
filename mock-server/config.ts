import { parseArgs } from 'node:util';
import { isRuleId, type RuleId } from '../catalogue/rules';
import { profiles } from './profiles';
import { TOKEN_AUTH_METHODS, type AuthMethod } from './profiles/types';
import type { LogLevel } from './logger';
import { defaultStoreLimits, STORE_LIMIT_ENV, storeLimitsProblem, type StoreLimits } from './store/limits';

export interface MockBankConfig {
  port: number;
  host: string;
  /** Public base URL; becomes the issuer. */
  publicUrl: string;
  profile: string;
  certsDir: string;
  /** Server certificate and key (PEM paths); generated into certsDir when absent. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** CA certificates (PEM paths) trusted for client certificates, beside the generated CA. */
  clientCaFiles: string[];
  /** The bank's id as issued by the directory; accepted in aud beside the issuer URL. */
  bankOrgId: string;
  directoryIssuer: string;
  /** JSON file of extra trusted directories: [{ issuer, jwks | jwks_uri, jwks_hosts }]. */
  trustedDirectoriesFile?: string;
  maxBodyBytes: number;
  clockSkewSeconds: number;
  jwksTimeoutMs: number;
  jwksMaxBytes: number;
  jwksCacheSeconds: number;
  logLevel: LogLevel;
  /** Test-only: rules the mock stops enforcing, to prove conformance checks can fail. */
  faults: RuleId[];
  /** The /__admin API: on or off; when unset, on only while the server binds a loopback address. */
  admin?: boolean;
  /** Requests kept in the admin journal. */
  journalSize: number;
  /** The developer-portal application that obtains the token protecting POST /register (profiles with requireAccessToken). */
  portalClientId: string;
  /** Its secret; generated at start (and printed) when empty. */
  portalClientSecret: string;
  /** Overrides the profile's management.delete switch: false answers DELETE {register}/{ClientId} with 405. */
  managementDelete?: boolean;
  /**
   * Narrows the profile's token_endpoint_auth_methods (discovery, registration, /token) to these,
   * to mimic a bank offering fewer; each must be one the profile offers.
   */
  authMethods?: AuthMethod[];
  /** SMTP server the deferred results are emailed through (smtp://host:port or smtps://user:pass@host:port). */
  smtpUrl?: string;
  smtpFrom: string;
  /** Emails kept in the admin outbox. */
  outboxSize: number;
  /** Delivery attempts per email (the first and its retries), and the delay before the first retry (doubling). */
  smtpAttempts: number;
  smtpRetryMs: number;
  /** The built-in directory's limits (docs/directory.md). */
  directoryMaxSoftware: number;
  directoryMaxKeys: number;
  directoryKeygenConcurrency: number;
  directoryKeygenQueue: number;
  /** Bounds of the store (clients, tokens, jtis) and bytes of the journal and outbox: docs/limits.md. */
  storeLimits: StoreLimits;
  /**
   * Tests only: client ids, client secrets and the faker data of the directory and the generated
   * TPP identities repeat across runs. Anyone who knows the seed can compute the secrets: never
   * set it on a sandbox that others share.
   */
  seed?: string;
  /** What this process serves: a bank (with its built-in directory unless directoryUrl is set) or only the directory (docs/topology.md). */
  role: 'bank' | 'directory';
  /** A standalone directory this bank trusts instead of its built-in one, e.g. https://localhost:42001 (docs/topology.md). */
  directoryUrl?: string;
  /** Where clients, tokens, jtis, the journal, the outbox and the directory's software live: redis://host:port[/db]; unset: in memory. */
  storeUrl?: string;
  /**
   * rfc7591 dialect: the static initial access token POST {register} requires as
   * `Authorization: Bearer` (RFC 7591 3), over the profile's; unset: registration is open.
   */
  initialAccessToken?: string;
}

export class ConfigError extends Error {}

export const defaults: MockBankConfig = {
  port: 8443,
  host: '127.0.0.1',
  publicUrl: '',
  profile: 'obie',
  certsDir: 'certs',
  clientCaFiles: [],
  bankOrgId: '0015800001041RHAAY',
  directoryIssuer: 'DCR Mock Directory',
  maxBodyBytes: 64 * 1024,
  clockSkewSeconds: 60,
  jwksTimeoutMs: 3000,
  jwksMaxBytes: 64 * 1024,
  jwksCacheSeconds: 300,
  logLevel: 'info',
  faults: [],
  journalSize: 200,
  portalClientId: 'sandbox-portal-app',
  portalClientSecret: '',
  smtpFrom: 'DCR Mock Bank <dcr@mockbank.localhost>',
  outboxSize: 100,
  smtpAttempts: 3,
  smtpRetryMs: 1000,
  directoryMaxSoftware: 1000,
  directoryMaxKeys: 32,
  directoryKeygenConcurrency: 1,
  directoryKeygenQueue: 8,
  storeLimits: { ...defaultStoreLimits },
  role: 'bank',
};

/** Each environment variable and the config key it sets. */
export const ENV: Record<string, keyof MockBankConfig> = {
  PORT: 'port',
  HOST: 'host',
  PUBLIC_URL: 'publicUrl',
  PROFILE: 'profile',
  CERTS_DIR: 'certsDir',
  TLS_CERT: 'tlsCertFile',
  TLS_KEY: 'tlsKeyFile',
  TLS_CLIENT_CA: 'clientCaFiles',
  BANK_ORG_ID: 'bankOrgId',
  DIRECTORY_ISSUER: 'directoryIssuer',
  TRUSTED_DIRECTORIES_FILE: 'trustedDirectoriesFile',
  MAX_BODY_BYTES: 'maxBodyBytes',
  CLOCK_SKEW_SECONDS: 'clockSkewSeconds',
  JWKS_TIMEOUT_MS: 'jwksTimeoutMs',
  JWKS_MAX_BYTES: 'jwksMaxBytes',
  JWKS_CACHE_SECONDS: 'jwksCacheSeconds',
  LOG_LEVEL: 'logLevel',
  MOCK_FAULTS: 'faults',
  ADMIN_API: 'admin',
  JOURNAL_SIZE: 'journalSize',
  PORTAL_CLIENT_ID: 'portalClientId',
  PORTAL_CLIENT_SECRET: 'portalClientSecret',
  MANAGEMENT_DELETE: 'managementDelete',
  AUTH_METHODS: 'authMethods',
  SMTP_URL: 'smtpUrl',
  SMTP_FROM: 'smtpFrom',
  OUTBOX_SIZE: 'outboxSize',
  SMTP_ATTEMPTS: 'smtpAttempts',
  SMTP_RETRY_MS: 'smtpRetryMs',
  DIRECTORY_MAX_SOFTWARE: 'directoryMaxSoftware',
  DIRECTORY_MAX_KEYS: 'directoryMaxKeys',
  DIRECTORY_KEYGEN_CONCURRENCY: 'directoryKeygenConcurrency',
  DIRECTORY_KEYGEN_QUEUE: 'directoryKeygenQueue',
  SEED: 'seed',
  ROLE: 'role',
  DIRECTORY_URL: 'directoryUrl',
  STORE_URL: 'storeUrl',
  INITIAL_ACCESS_TOKEN: 'initialAccessToken',
};

export const HELP = `Usage: npx dcr-mockbank [options]      (in a clone of the repository: npm start -- [options])
       npx dcr-mockbank <command> [options]

Starts the DCR mock bank over HTTPS with mutual TLS.

Commands (each with --help):
  mint-ssa              mint an SSA from a running mock bank's directory     (npm run mint-ssa)
  sign-request          sign a registration request JWT for that SSA         (npm run sign-request)
  certs [dir]           generate the test CA and certificates into dir       (npm run certs)
  directory             run only the mock directory, for banks started with DIRECTORY_URL (same as --role directory);
                        it carries the mock CDR Register (/cdr-register/v1) of the cdr profile as well

Options (each also settable by the environment variable shown; flags win):
  --port <n>            PORT            listen port (default ${defaults.port}; 0 picks a free one)
  --host <addr>         HOST            bind address (default 127.0.0.1; 0.0.0.0 for containers)
  --public-url <url>    PUBLIC_URL      public base URL and issuer (default https://localhost:<port>)
  --profile <name>      PROFILE         bank profile (default obie), one of:
${Object.values(profiles).map((p) => `                          ${p.name.padEnd(15)} ${p.description}`).join('\n')}
  --certs-dir <dir>     CERTS_DIR       where certificates are generated and reused (default ./certs)
  --seed <text>         SEED            tests only: client ids, client secrets and faker data repeat across
                                        runs (anyone who knows the seed can compute the secrets: never on a
                                        shared sandbox)
                        TLS_CERT, TLS_KEY   server certificate and key (PEM paths) to use instead (both;
                                        checked at start: readable, parseable, the key matching)
                        TLS_CLIENT_CA   extra CA files trusted for client certificates (comma-separated PEM)
                        BANK_ORG_ID     the bank's directory id, accepted as aud (default 0015800001041RHAAY)
                        DIRECTORY_ISSUER  iss of SSAs the built-in directory signs (default "DCR Mock Directory")
                        TRUSTED_DIRECTORIES_FILE  JSON list of extra trusted directories
                        MAX_BODY_BYTES  request body cap (default 65536)
                        CLOCK_SKEW_SECONDS  tolerated clock skew (default 60)
                        JWKS_TIMEOUT_MS, JWKS_MAX_BYTES, JWKS_CACHE_SECONDS  software JWKS fetch bounds
                                        (deadline of a whole fetch 3000 ms, body 65536 bytes, cache 300 s)
                        LOG_LEVEL       debug | info | warn | error | silent (default info)
                        MOCK_FAULTS     test only: comma-separated rule ids the mock stops enforcing (or breaks)
                        ADMIN_API       true | false: the /__admin API for test teams (default: on only
                                        when HOST is a loopback address such as 127.0.0.1 or ::1)
                        JOURNAL_SIZE    requests kept in the admin journal (default 200)
                        PORTAL_CLIENT_ID, PORTAL_CLIENT_SECRET  the developer-portal application whose
                                        client_credentials token protects POST /register where the profile
                                        says so (cpb-sandbox); default id sandbox-portal-app, secret generated
                                        and printed at start
                        MANAGEMENT_DELETE  true | false: overrides the profile's DELETE switch (false: 405)
  --auth-methods <list> AUTH_METHODS    comma-separated token_endpoint_auth_methods to offer, narrowing the
                                        profile's (discovery, registration and /token), e.g. private_key_jwt
                        SMTP_URL        smtp://host:port (or smtps://user:pass@host:port): where deferred
                                        results are emailed (email-deferred); unset: kept in the outbox only
                        SMTP_FROM       sender of those emails (default "DCR Mock Bank <dcr@mockbank.localhost>")
                        OUTBOX_SIZE     emails kept in GET /__admin/outbox (default 100)
                        SMTP_ATTEMPTS, SMTP_RETRY_MS  delivery attempts per email (default 3) and the
                                        delay before the first retry, doubling (default 1000 ms)
                        DIRECTORY_MAX_SOFTWARE  software ids the built-in directory holds (default 1000)
                        DIRECTORY_MAX_KEYS      keys hosted per software id (default 32)
                        DIRECTORY_KEYGEN_CONCURRENCY, DIRECTORY_KEYGEN_QUEUE  signing keys generated at
                                        once for mints without jwks (default 1), and mints waiting (default 8)
                        STORE_MAX_CLIENTS, STORE_MAX_CLIENT_BYTES, STORE_MAX_TOKENS, STORE_MAX_TOKEN_BYTES,
                        STORE_MAX_JTIS, STORE_MAX_JTI_BYTES, JOURNAL_MAX_BYTES, OUTBOX_MAX_BYTES
                                        store bounds in entries and bytes; full: 503 with Retry-After
                                        (the journal and outbox drop their oldest): docs/limits.md
  --role <bank|directory>  ROLE    bank (default; its directory built in) or a standalone directory
                        DIRECTORY_URL   https URL of a standalone directory to trust instead of the built-in one
                                        (its /directory/jwks and software JWKS host): docs/topology.md
                        STORE_URL       redis://host:port[/db]: clients, tokens, jtis, journal, outbox and the
                                        directory's software on Redis, shared by instances (default: in memory)
                        INITIAL_ACCESS_TOKEN  rfc7591 profile: POST /register needs Authorization: Bearer <it>
                                        (RFC 7591 initial access token; default: open registration)
  -h, --help            show this help
`;

function int(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parseAuthMethods(name: string, list: readonly unknown[]): AuthMethod[] {
  const known: readonly string[] = TOKEN_AUTH_METHODS;
  const methods = list.filter((m) => m !== '');
  if (methods.length === 0) throw new ConfigError(`${name} must name at least one of ${known.join(', ')}`);
  const bad = methods.find((m) => typeof m !== 'string' || !known.includes(m));
  if (bad !== undefined) throw new ConfigError(`${name}: unknown token_endpoint_auth_method ${JSON.stringify(bad)} (known: ${known.join(', ')})`);
  return [...new Set(methods as AuthMethod[])];
}

/** AUTH_METHODS can only narrow: each method must be one the profile offers. */
function checkAuthMethods(cfg: MockBankConfig, name: string): void {
  if (cfg.authMethods === undefined) return;
  const offered = profiles[cfg.profile]!.registration.authMethods;
  const extra = cfg.authMethods.find((m) => !offered.includes(m));
  if (extra) throw new ConfigError(`${name}: profile ${cfg.profile} does not offer ${extra} (it offers ${offered.join(', ')})`);
}

/** An initial access token is a setting of the rfc7591 dialect only: elsewhere it would be silently ignored. */
function checkInitialAccessToken(cfg: MockBankConfig, name: string): void {
  if (cfg.initialAccessToken === undefined) return;
  const dialect = profiles[cfg.profile]!.registration.dialect ?? 'obie';
  if (dialect !== 'rfc7591') throw new ConfigError(`${name}: profile ${cfg.profile} registers with the ${dialect} dialect, which takes no initial access token (use --profile rfc7591)`);
}

function set(cfg: MockBankConfig, key: keyof MockBankConfig, name: string, raw: string) {
  switch (key) {
    case 'port': cfg.port = int(name, raw, 0, 65535); break;
    case 'maxBodyBytes': cfg.maxBodyBytes = int(name, raw, 1024, 10 * 1024 * 1024); break;
    case 'clockSkewSeconds': cfg.clockSkewSeconds = int(name, raw, 0, 3600); break;
    case 'jwksTimeoutMs': cfg.jwksTimeoutMs = int(name, raw, 100, 60_000); break;
    case 'jwksMaxBytes': cfg.jwksMaxBytes = int(name, raw, 1024, 1024 * 1024); break;
    case 'jwksCacheSeconds': cfg.jwksCacheSeconds = int(name, raw, 0, 86_400); break;
    case 'journalSize': cfg.journalSize = int(name, raw, 1, 100_000); break;
    case 'outboxSize': cfg.outboxSize = int(name, raw, 1, 10_000); break;
    case 'smtpAttempts': cfg.smtpAttempts = int(name, raw, 1, 10); break;
    case 'smtpRetryMs': cfg.smtpRetryMs = int(name, raw, 0, 600_000); break;
    case 'directoryMaxSoftware': cfg.directoryMaxSoftware = int(name, raw, 1, 1_000_000); break;
    case 'directoryMaxKeys': cfg.directoryMaxKeys = int(name, raw, 10, 1000); break;
    case 'directoryKeygenConcurrency': cfg.directoryKeygenConcurrency = int(name, raw, 1, 64); break;
    case 'directoryKeygenQueue': cfg.directoryKeygenQueue = int(name, raw, 0, 10_000); break;
    case 'admin':
    case 'managementDelete':
      if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false, got "${raw}"`);
      cfg[key] = raw === 'true';
      break;
    case 'smtpUrl':
      if (!URL.canParse(raw) || !['smtp:', 'smtps:'].includes(new URL(raw).protocol)) throw new ConfigError(`${name} must be an smtp:// or smtps:// URL, got "${raw}"`);
      cfg.smtpUrl = raw;
      break;
    case 'authMethods': cfg.authMethods = parseAuthMethods(name, raw.split(',').map((s) => s.trim())); break;
    case 'seed':
      if (raw.length > 256 || /[\x00-\x1f\x7f]/.test(raw)) throw new ConfigError(`${name} must be at most 256 printable characters`);
      cfg.seed = raw;
      break;
    case 'role':
      if (raw !== 'bank' && raw !== 'directory') throw new ConfigError(`${name} must be bank or directory, got "${raw}"`);
      cfg.role = raw;
      break;
    case 'directoryUrl':
      if (!URL.canParse(raw) || new URL(raw).protocol !== 'https:') throw new ConfigError(`${name} must be an https URL, got "${raw}"`);
      cfg.directoryUrl = raw.replace(/\/+$/, '').replace(/\/directory$/, '');
      break;
    case 'storeUrl':
      if (raw === 'memory' || raw === 'memory:') { delete cfg.storeUrl; break; }
      if (!URL.canParse(raw) || !['redis:', 'rediss:'].includes(new URL(raw).protocol)) throw new ConfigError(`${name} must be a redis:// or rediss:// URL (or memory), got "${raw}"`);
      cfg.storeUrl = raw;
      break;
    case 'initialAccessToken':
      // RFC 6750 2.1 b68token, bounded: it is compared with what clients send.
      if (!/^[A-Za-z0-9\-._~+/]{1,512}=*$/.test(raw)) throw new ConfigError(`${name} must be 1 to 512 characters of A-Z a-z 0-9 - . _ ~ + / (a Bearer token)`);
      cfg.initialAccessToken = raw;
      break;
    case 'clientCaFiles': cfg.clientCaFiles = raw.split(',').map((s) => s.trim()).filter(Boolean); break;
    case 'faults': {
      const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = ids.find((id) => !isRuleId(id));
      if (bad) throw new ConfigError(`${name}: unknown rule id "${bad}"`);
      cfg.faults = ids as RuleId[];
      break;
    }
    case 'logLevel':
      if (!['debug', 'info', 'warn', 'error', 'silent'].includes(raw)) throw new ConfigError(`${name} must be debug, info, warn, error or silent, got "${raw}"`);
      cfg.logLevel = raw as LogLevel;
      break;
    case 'profile':
      if (!profiles[raw]) throw new ConfigError(`${name}: unknown profile "${raw}" (known: ${Object.keys(profiles).join(', ')})`);
      cfg.profile = raw;
      break;
    case 'publicUrl':
      if (!URL.canParse(raw) || new URL(raw).protocol !== 'https:') throw new ConfigError(`${name} must be an https URL, got "${raw}"`);
      cfg.publicUrl = raw.replace(/\/$/, '');
      break;
    default:
      if (raw.trim() === '') throw new ConfigError(`${name} must not be empty`);
      (cfg as unknown as Record<string, string>)[key] = raw;
  }
}

/** Validates a programmatic partial config: unknown keys fail with their name. */
export function resolveConfig(partial: Partial<MockBankConfig> = {}): MockBankConfig {
  const unknown = Object.keys(partial).find((k) => !(k in defaults) && !['tlsCertFile', 'tlsKeyFile', 'trustedDirectoriesFile', 'admin', 'managementDelete', 'smtpUrl', 'authMethods', 'seed', 'directoryUrl', 'storeUrl', 'initialAccessToken'].includes(k));
  if (unknown) throw new ConfigError(`unknown config key "${unknown}"`);
  const cfg: MockBankConfig = { ...defaults, ...partial, storeLimits: { ...defaults.storeLimits, ...partial.storeLimits } };
  if (!profiles[cfg.profile]) throw new ConfigError(`profile: unknown profile "${cfg.profile}"`);
  const bad = cfg.faults.find((f) => !isRuleId(f));
  if (bad) throw new ConfigError(`faults: unknown rule id "${bad}"`);
  if (cfg.authMethods !== undefined) {
    if (!Array.isArray(cfg.authMethods)) throw new ConfigError('authMethods must be an array of token_endpoint_auth_methods');
    cfg.authMethods = parseAuthMethods('authMethods', cfg.authMethods);
    checkAuthMethods(cfg, 'authMethods');
  }
  const limitsProblem = storeLimitsProblem(cfg.storeLimits as unknown as Record<string, unknown>);
  if (limitsProblem) throw new ConfigError(limitsProblem);
  if (cfg.role !== 'bank' && cfg.role !== 'directory') throw new ConfigError(`role must be bank or directory, got ${JSON.stringify(cfg.role)}`);
  if (cfg.directoryUrl !== undefined) set(cfg, 'directoryUrl', 'directoryUrl', cfg.directoryUrl);
  if (cfg.storeUrl !== undefined) set(cfg, 'storeUrl', 'storeUrl', cfg.storeUrl);
  if (cfg.initialAccessToken !== undefined) set(cfg, 'initialAccessToken', 'initialAccessToken', String(cfg.initialAccessToken));
  checkInitialAccessToken(cfg, 'initialAccessToken');
  if (!cfg.publicUrl) cfg.publicUrl = `https://localhost:${cfg.port}`;
  return cfg;
}

/** Reads environment variables, then command-line flags (flags win). The only reader of process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): MockBankConfig | 'help' {
  const cfg: MockBankConfig = { ...defaults, clientCaFiles: [], faults: [], storeLimits: { ...defaults.storeLimits } };
  for (const [name, key] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') set(cfg, key, name, raw);
  }
  for (const [name, { key, min, max }] of Object.entries(STORE_LIMIT_ENV)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') cfg.storeLimits[key] = int(name, raw, min, max);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'public-url': { type: 'string' },
        profile: { type: 'string' },
        'certs-dir': { type: 'string' },
        seed: { type: 'string' },
        'auth-methods': { type: 'string' },
        role: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (v.port !== undefined) set(cfg, 'port', '--port', v.port);
  if (v.host !== undefined) set(cfg, 'host', '--host', v.host);
  if (v['public-url'] !== undefined) set(cfg, 'publicUrl', '--public-url', v['public-url']);
  if (v.profile !== undefined) set(cfg, 'profile', '--profile', v.profile);
  if (v['certs-dir'] !== undefined) set(cfg, 'certsDir', '--certs-dir', v['certs-dir']);
  if (v.seed !== undefined) set(cfg, 'seed', '--seed', v.seed);
  if (v['auth-methods'] !== undefined) set(cfg, 'authMethods', '--auth-methods', v['auth-methods']);
  checkAuthMethods(cfg, v['auth-methods'] !== undefined ? '--auth-methods' : 'AUTH_METHODS');
  if (v.role !== undefined) set(cfg, 'role', '--role', v.role);
  checkInitialAccessToken(cfg, 'INITIAL_ACCESS_TOKEN');
  // With port 0 the URL is known only once listening: startMockBank fills it in then.
  if (!cfg.publicUrl && cfg.port !== 0) cfg.publicUrl = `https://localhost:${cfg.port}`;
  return cfg;
}

/** Loopback bind addresses: the admin API is on by default only on these. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** ADMIN_API when set; otherwise on exactly when the server binds a loopback address. */
export function adminEnabled(config: Pick<MockBankConfig, 'admin' | 'host'>): boolean {
  return config.admin ?? isLoopbackHost(config.host);
}
