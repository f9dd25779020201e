import https from 'node:https';
import { constants, createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { loadJose } from './lazy';
import { createApp, bankUrls, type AppDeps } from './app';
import { startupGate } from './http/startup';
import { expressHttpClasses } from './http/prototypes';
import { resolveConfig, ConfigError, defaults, type MockBankConfig } from './config';
import { createLogger, type Logger } from './logger';
import { getProfile } from './profiles';
import { faultedProfile } from './faults';
import type { AuthMethod, Profile } from './profiles/types';
import type { ClientRecord } from './store/types';
import { Outbox, createMailer, type OutboxStore } from './mail/outbox';
import { MemoryStore, memoryStoreOptions } from './store/memory';
import type { Store } from './store/types';
import { MockDirectory, checkPublicJwks, type MintResult } from './directory/directory';
import { createTrustStore, type TrustedDirectory } from './core/trust';
import { createJwksFetcher } from './jwks-fetcher';
import { SERVER_TLS_OPTIONS } from './tls/ciphers';
import { readClientCas, readTlsFiles } from './tls/files';
import { ensureCerts, generateBundle, issueTransportCert, withObfTransport, type CertBundle, type TppCredentials } from './tls/certs';
import { makeFaker, makeIdentity } from './directory/identity';
import { RuntimeFaults } from './admin/runtime-faults';
import { idSource, seedNumber, type IdSource } from './core/ids';
import { connectRemoteDirectory, remoteMint, type RemoteDirectory } from './directory/remote';
import type { SharedSoftware } from './directory/directory';
import { OBF_DIRECTORY_ISSUER, ObfDirectory, OBF_DIRECTORY_PATH } from './directory/obf-directory';

export interface StartOptions extends Partial<MockBankConfig> {
  /** Certificates and keys to use as given (in memory). Otherwise certsDir is used (generated there, then reused) when set, else fresh ones are generated in memory and nothing is written to disk. */
  certs?: CertBundle;
  logger?: Logger;
  store?: Store;
}

export interface MockBank {
  /** Base URL the server answers on, e.g. https://localhost:53211 */
  url: string;
  port: number;
  issuer: string;
  urls: ReturnType<typeof bankUrls>;
  /** PEM of the CA that issued the server and TPP certificates: trust it as a client. */
  ca: string;
  /** A TPP transport certificate and key issued by that CA, with its software identity. */
  tpp: TppCredentials;
  /** A second transport certificate from the same CA with another subject DN (trusted, but no client's). */
  altTpp: TppCredentials;
  certs: CertBundle;
  directory: {
    issuer: string;
    mint(input?: Record<string, unknown>): Promise<MintResult>;
    jwks(): JSONWebKeySet;
  };
  store: Store;
  config: MockBankConfig;
  /** The profile answering, with the config's overrides applied. */
  profile: Profile;
  /** The developer-portal application (profiles whose POST /register needs an access token). */
  portal?: { client_id: string; client_secret: string };
  outbox: OutboxStore;
  /** Runtime faults, as POST /__admin/faults adds them: add, list, remove, clear. */
  faults: RuntimeFaults;
  close(): Promise<void>;
}

/** The profile with the config's overrides (MANAGEMENT_DELETE, AUTH_METHODS, INITIAL_ACCESS_TOKEN) and the profile data its faults take away. */
export function effectiveProfile(config: MockBankConfig): Profile {
  const base = getProfile(config.profile);
  let profile = config.managementDelete === undefined ? base : { ...base, management: { ...base.management, delete: config.managementDelete } };
  if (config.authMethods) profile = narrowAuthMethods(profile, config.authMethods);
  if (config.initialAccessToken !== undefined) profile = { ...profile, registration: { ...profile.registration, initialAccessToken: config.initialAccessToken } };
  return faultedProfile(profile, new Set(config.faults));
}

/**
 * AUTH_METHODS: only these of the profile's methods, in the profile's order. A profile default
 * (used when a request names no method) that is narrowed away becomes the first method left.
 */
function narrowAuthMethods(profile: Profile, methods: readonly AuthMethod[]): Profile {
  const reg = profile.registration;
  const authMethods = reg.authMethods.filter((m) => methods.includes(m));
  const keepDefault = reg.defaultAuthMethod === undefined || authMethods.includes(reg.defaultAuthMethod);
  return { ...profile, registration: { ...reg, authMethods, ...(keepDefault ? {} : { defaultAuthMethod: authMethods[0]! }) } };
}

/** The pre-provisioned developer-portal application: client_credentials with client_secret_basic. */
function portalApp(config: MockBankConfig, profile: Profile, now: number, ids: IdSource): { record: ClientRecord; clientSecret: string } {
  const clientSecret = config.portalClientSecret || ids.secret(24);
  const record: ClientRecord = {
    client_id: config.portalClientId,
    client_id_issued_at: now,
    client_secret: clientSecret,
    client_secret_expires_at: 0,
    metadata: {
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      scope: profile.registration.scopes.join(' '),
      application_type: 'web',
      software_id: config.portalClientId,
      software_statement: '',
    },
    ssa: {},
    software_jwks_endpoint: '',
    profile: profile.name,
  };
  return { record, clientSecret };
}

function readTrustedDirectories(file: string): Array<{ issuer: string; jwks?: unknown; jwks_uri?: string; jwks_hosts: string[] }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`TRUSTED_DIRECTORIES_FILE ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ConfigError(`TRUSTED_DIRECTORIES_FILE ${file}: must hold a JSON array`);
  return parsed.map((d, i) => {
    const at = `TRUSTED_DIRECTORIES_FILE[${i}]`;
    if (typeof d?.issuer !== 'string' || !d.issuer) throw new ConfigError(`${at}.issuer is required`);
    if (d.jwks === undefined && typeof d.jwks_uri !== 'string') throw new ConfigError(`${at}: give jwks or jwks_uri`);
    if (!Array.isArray(d.jwks_hosts) || d.jwks_hosts.some((h: unknown) => typeof h !== 'string')) throw new ConfigError(`${at}.jwks_hosts must be an array of host names`);
    return d;
  });
}

/**
 * The directory's limits, the key it generates (ES256 where the profile signs requests and client
 * assertions with it: ~100x cheaper than RSA; PS256 otherwise) and the mock's own TPP software_id,
 * owned from the start by its transport certificate so nobody else can claim it.
 */
function directoryOptions(config: MockBankConfig, profile: Profile, certs: CertBundle) {
  const es256 = profile.registration.requestAlgs.includes('ES256') && profile.registration.authSigningAlgs.includes('ES256');
  return {
    maxSoftware: config.directoryMaxSoftware,
    maxKeysPerSoftware: config.directoryMaxKeys,
    keygenConcurrency: config.directoryKeygenConcurrency,
    keygenQueue: config.directoryKeygenQueue,
    generatedKeyAlg: es256 ? ('ES256' as const) : ('PS256' as const),
    owners: { [certs.tpp.software_id]: [createHash('sha256').update(new X509Certificate(certs.tpp.cert).raw).digest('base64url')] },
  };
}

/** Builds the app's dependencies from a resolved config and certificates. */
export async function buildDeps(
  config: MockBankConfig,
  certs: CertBundle,
  logger: Logger,
  store: Store = new MemoryStore(memoryStoreOptions(config.storeLimits, config.journalSize)),
  softwareFile?: string,
  remote?: RemoteDirectory,
): Promise<AppDeps> {
  const profile = effectiveProfile(config);
  const urls = bankUrls(config.publicUrl, profile);
  // The directory's software on the shared store (STORE_URL): kept across restarts of the directory.
  const shared: SharedSoftware | undefined =
    'directorySoftware' in store && typeof store.directorySoftware === 'function' ? await (store as { directorySoftware(issuer: string): Promise<SharedSoftware> }).directorySoftware(config.directoryIssuer) : undefined;
  const directory = new MockDirectory({
    issuer: config.directoryIssuer,
    signingKey: certs.directoryKey,
    baseUrl: urls.directory,
    ...(softwareFile && !shared ? { softwareFile } : {}),
    ...(shared ? { shared } : {}),
    ...directoryOptions(config, profile, certs),
    logger,
    ...(config.seed ? { seed: seedNumber(config.seed) } : {}),
  });
  const extraCa = readClientCas(config.clientCaFiles);
  // The mock Open Finance Brasil directory, built in beside the OB one (same signing key, its own issuer): the obf profile's SSAs.
  const publicBase = config.publicUrl.replace(/\/$/, '');
  const obfDirectory = new ObfDirectory({ issuer: OBF_DIRECTORY_ISSUER, signingKey: certs.directoryKey, baseUrl: `${publicBase}${OBF_DIRECTORY_PATH}`, ...(config.seed ? { seed: seedNumber(config.seed) } : {}) });

  // DIRECTORY_URL: the standalone directory is trusted instead of the built-in one (docs/topology.md).
  // Only a bank of the obf profile trusts the OBF directory's statements.
  const obf = profile.registration.dialect === 'obf';
  const directories: TrustedDirectory[] = remote ? [] : [
    { issuer: directory.issuer, jwks: () => directory.trustedJwks(), jwksHosts: [new URL(urls.directory).host] },
    ...(obf ? [{ issuer: obfDirectory.issuer, jwks: () => obfDirectory.trustedJwks(), jwksHosts: [new URL(obfDirectory.baseUrl).host] }] : []),
  ];
  const external = config.trustedDirectoriesFile ? readTrustedDirectories(config.trustedDirectoriesFile) : [];
  const allowedHosts = [remote ? remote.host : new URL(urls.directory).host, ...external.flatMap((d) => d.jwks_hosts)];
  const fetchJwks = createJwksFetcher({
    allowedHosts,
    timeoutMs: config.jwksTimeoutMs,
    maxBytes: config.jwksMaxBytes,
    cacheSeconds: config.jwksCacheSeconds,
    ca: [certs.ca.cert, ...extraCa],
    ...(remote ? {} : { local: async (url: string) => directory.resolveJwksUrl(url) ?? obfDirectory.resolveJwksUrl(url) ?? (await directory.resolveShared(url)) }),
  });
  if (remote) {
    directories.push({ issuer: remote.issuer, jwks: () => fetchJwks(remote.jwksUrl), jwksHosts: [remote.host] });
    // The standalone directory's Open Finance Brasil half (its /obf-directory routes), for a bank of the obf profile.
    if (obf) directories.push({ issuer: OBF_DIRECTORY_ISSUER, jwks: () => fetchJwks(`${remote.url.replace(/\/$/, '')}${OBF_DIRECTORY_PATH}/jwks`), jwksHosts: [remote.host] });
  }
  for (const d of external) {
    const jwks = d.jwks !== undefined ? checkPublicJwks(d.jwks, `${d.issuer}.jwks`) : undefined;
    const uri = d.jwks_uri;
    directories.push({ issuer: d.issuer, jwks: jwks ? () => jwks : () => fetchJwks(uri!), jwksHosts: d.jwks_hosts });
  }

  // The bank's published key (it signs nothing): made on the first GET of its JWKS, off the start-up path.
  let jwks: Promise<JSONWebKeySet> | undefined;
  const bankJwks = () =>
    (jwks ??= (async () => {
      const { generateKeyPair, exportJWK, calculateJwkThumbprint } = await loadJose();
      const { publicKey } = await generateKeyPair('PS256', { modulusLength: 2048, extractable: true });
      const pub = await exportJWK(publicKey);
      return { keys: [{ ...pub, kid: await calculateJwkThumbprint(pub), alg: 'PS256', use: 'sig' }] };
    })());
  const now = () => Math.floor(Date.now() / 1000);
  // On Redis the outbox is shared by every instance of the bank, as the rest of the store is.
  const outbox: OutboxStore = 'outboxWrite' in store ? new (await import('./store/redis')).RedisOutbox(store as import('./store/redis').RedisStore, config.outboxSize, logger) : new Outbox(config.outboxSize, config.storeLimits.outboxBytes);
  const skip = new Set([...profile.registration.skipRules, ...config.faults]);
  const ids = idSource(config.seed);

  return {
    config,
    profile,
    store,
    directory,
    obfDirectory,
    trust: createTrustStore(directories),
    fetchJwks,
    logger,
    urls,
    audiences: [urls.issuer, urls.register, config.bankOrgId],
    bankJwks,
    skip,
    runtimeFaults: new RuntimeFaults(skip),
    ids,
    now,
    ...(profile.registration.requireAccessToken ? { portal: portalApp(config, profile, now(), ids) } : {}),
    outbox,
    mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.smtpFrom, outbox, logger, attempts: config.smtpAttempts, retryMs: config.smtpRetryMs }),
  };
}

function listen(server: https.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts a mock bank over HTTPS with mutual TLS. In-process use from a TPP team's tests:
 *
 *   const bank = await startMockBank();            // free port on 127.0.0.1, fresh certificates
 *   const { software_statement, signing_key } = await bank.directory.mint();
 *   ... POST bank.urls.register with bank.tpp.cert / bank.tpp.key, trusting bank.ca ...
 *   await bank.close();
 */
export async function startMockBank(options: StartOptions = {}): Promise<MockBank> {
  const { certs: givenCerts, logger: givenLogger, store: givenStore, ...partial } = options;
  let ownStore: (Store & { close?: () => Promise<void> }) | undefined;
  const config = resolveConfig({ port: 0, logLevel: 'warn', ...partial });
  const publicUrlGiven = Boolean(partial.publicUrl);
  const logger = givenLogger ?? createLogger(config.logLevel);
  // TLS_CERT / TLS_KEY / TLS_CLIENT_CA checked first: a bad file stops the start, naming the variable.
  const tlsFiles = readTlsFiles(config);

  let certs: CertBundle;
  let softwareFile: string | undefined;
  if (givenCerts) {
    certs = givenCerts;
  } else if (options.certsDir !== undefined) {
    // Only when asked: a library call (with or without a port) writes nothing to the caller's disk.
    const { bundle, generated } = await ensureCerts(config.certsDir);
    if (generated.length) logger.info('certificates generated', { dir: config.certsDir, generated });
    certs = bundle;
    // SSAs minted before a restart keep working: their software JWKS are kept beside the certs.
    softwareFile = join(config.certsDir, 'directory-software.json');
  } else {
    // SEED (tests only): the TPP identities repeat; the keys are fresh each run.
    certs = await generateBundle(undefined, config.seed ? seedNumber(config.seed) : undefined);
  }
  if (getProfile(config.profile).registration.dialect === 'obf' || config.role === 'directory') certs = await withObfTransport(certs, config.seed ? seedNumber(config.seed) : undefined);
  const altTpp = certs.altTpp ?? (await issueTransportCert(certs.ca, makeIdentity(await makeFaker(config.seed ? seedNumber(config.seed) + 1 : undefined))));
  const serverCert = tlsFiles.cert ?? certs.server.cert;
  const serverKey = tlsFiles.key ?? certs.server.key;
  const clientCas = [certs.ca.cert, ...tlsFiles.clientCas];

  // Requests and responses built on Express's prototypes from the start: see http/prototypes.ts.
  const classes = expressHttpClasses();
  // The handler is attached before listen: a request that arrives while the app is being built is
  // held and answered by it (never left hanging), and /health answers at once (http/startup.ts).
  const gate = startupGate();
  const server = https.createServer({
    IncomingMessage: classes.IncomingMessage,
    ServerResponse: classes.ServerResponse,
    key: serverKey,
    cert: serverCert,
    ca: clientCas,
    requestCert: true,
    rejectUnauthorized: false,
    // TLS 1.2 with the FAPI 1.0 Advanced 8.5 suites only, or TLS 1.3: see tls/ciphers.ts.
    ...SERVER_TLS_OPTIONS,
    // No renegotiation: a connection's client certificate is fixed, so it is parsed once per connection.
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  }, gate.handler);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const port = await listen(server, config.port, config.host);
  if (!publicUrlGiven) config.publicUrl = `https://localhost:${port}`;

  // STORE_URL: clients, tokens, jtis, journal and the directory's software on Redis (docs/topology.md).
  let remote: RemoteDirectory | undefined;
  let deps: AppDeps;
  try {
    if (!givenStore && config.storeUrl) {
      const { openRedisStore } = await import('./store/redis');
      ownStore = await openRedisStore(config, logger);
    }
    if (config.directoryUrl && config.role === 'bank') {
      // The directory's metadata (issuer, JWKS), waited for a while: it may be starting beside this bank.
      remote = await connectRemoteDirectory(config.directoryUrl, { ca: clientCas }, {
        timeoutMs: config.jwksTimeoutMs,
        waitMs: Math.min(15_000, 5 * config.jwksTimeoutMs),
        ...(config.directoryIssuer !== defaults.directoryIssuer ? { issuer: config.directoryIssuer } : {}),
      });
    }
    deps = await buildDeps(config, certs, logger, givenStore ?? ownStore, softwareFile, remote);
    const app = config.role === 'directory' ? (await import('./directory/app')).createDirectoryApp(deps) : createApp(deps);
    classes.bind(app);
    gate.ready(app);
  } catch (e) {
    // The held requests are answered 503 first, then the server is closed.
    gate.failed(e as Error);
    await new Promise((resolve) => setImmediate(resolve));
    server.close();
    server.closeAllConnections();
    await ownStore?.close?.();
    throw e;
  }

  return {
    url: config.publicUrl,
    port,
    issuer: deps.urls.issuer,
    urls: deps.urls,
    ca: certs.ca.cert,
    tpp: certs.tpp,
    altTpp,
    certs,
    directory: remote
      ? {
          // The standalone directory, over HTTP with this bank's TPP transport certificate (which owns its software_id there).
          issuer: remote.issuer,
          mint: (input = {}) => remoteMint(remote, input, { ca: clientCas, cert: certs.tpp.cert, key: certs.tpp.key }),
          jwks: () => remote.jwks,
        }
      : {
          issuer: deps.directory.issuer,
          mint: (input = {}) => deps.directory.mint(input),
          jwks: () => deps.directory.jwks(),
        },
    store: deps.store,
    config,
    profile: deps.profile,
    ...(deps.portal ? { portal: { client_id: deps.portal.record.client_id, client_secret: deps.portal.clientSecret } } : {}),
    outbox: deps.outbox,
    faults: deps.runtimeFaults,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await deps.directory.close(); // the hosted software reach the disk
      await ownStore?.close?.();
    },
  };
}
