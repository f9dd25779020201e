import express, { type Express } from 'express';
import { health, isHealthCheck } from './http/startup';
import type { JSONWebKeySet } from 'jose';
import type { RuleId } from '../catalogue/rules';
import type { MockBankConfig } from './config';
import type { Logger } from './logger';
import type { Profile, RegistrationDialect } from './profiles/types';
import type { Store } from './store/types';
import type { MockDirectory } from './directory/directory';
import type { ObfDirectory } from './directory/obf-directory';
import { obfDirectoryRoutes } from './routes/obf-directory';
import type { TrustStore } from './core/trust';
import { errorHandler, profileEnvelope, requestContext } from './http/middleware';
import type { ClientRecord } from './store/types';
import type { Mailer, OutboxStore } from './mail/outbox';
import { discoveryRoutes } from './routes/discovery';
import { directoryRoutes } from './routes/directory';
import { cdrRegisterRoutes } from './routes/cdr-register';
import { registerRoutes, registrationPost } from './routes/register';
import { fastRoute } from './http/fast-route';
import { OBF_DIRECTORY_PATH } from './directory/obf-directory';
import { rfc7591Routes } from './routes/rfc7591';
import { cdrRoutes } from './routes/cdr';
import { obfRoutes } from './routes/obf';
import { tokenPost, tokenRoutes } from './routes/token';
import { adminRoutes, ADMIN_PATH } from './routes/admin';
import { adminEnabled } from './config';
import { NotFound } from './errors';
import { oneWriteJson } from './http/respond';
import type { RuntimeFaults } from './admin/runtime-faults';
import type { IdSource } from './core/ids';
import { adminUiRoutes } from './routes/admin-ui';

export interface BankUrls {
  issuer: string;
  register: string;
  token: string;
  jwks: string;
  directory: string;
}

/** Everything the app needs, built by the caller: the app never reads env or listens. */
export interface AppDeps {
  config: MockBankConfig;
  profile: Profile;
  store: Store;
  directory: MockDirectory;
  /** The mock Open Finance Brasil directory (built in; its SSAs are trusted beside the OB directory's). */
  obfDirectory?: ObfDirectory;
  trust: TrustStore;
  fetchJwks: (url: string) => Promise<JSONWebKeySet>;
  logger: Logger;
  urls: BankUrls;
  /** Accepted aud values. */
  audiences: string[];
  /** The bank's public JWKS, made on first use. */
  bankJwks: () => Promise<JSONWebKeySet>;
  /** Rules not enforced: the profile's deferred rules plus test faults; live: runtimeFaults switches rules in it. */
  skip: ReadonlySet<RuleId>;
  /** Faults injected while running (POST /__admin/faults), over `skip`. */
  runtimeFaults: RuntimeFaults;
  /** Client ids and secrets: seeded only when SEED is set (core/ids.ts). */
  ids?: IdSource;
  /** Seconds since the epoch. */
  now: () => number;
  /** The pre-provisioned developer-portal application, where the profile protects POST /register with a token. */
  portal?: { record: ClientRecord; clientSecret: string };
  /** Emails sent (deferred results), kept for GET /__admin/outbox. */
  outbox: OutboxStore;
  mailer: Mailer;
}

export function bankUrls(publicUrl: string, profile: Profile): BankUrls {
  const base = publicUrl.replace(/\/$/, '') + profile.basePath;
  return {
    issuer: base + (profile.paths.issuer ?? ''),
    register: base + profile.paths.register,
    token: base + profile.paths.token,
    jwks: base + profile.paths.jwks,
    directory: publicUrl.replace(/\/$/, '') + '/directory',
  };
}

/** The registration and management routes of each dialect (profile.registration.dialect, default obie). */
const REGISTRATION_ROUTES: Record<RegistrationDialect, (deps: AppDeps) => express.Router> = {
  obie: registerRoutes,
  rfc7591: rfc7591Routes,
  cdr: cdrRoutes,
  obf: obfRoutes,
};

/** Where the app's own layers before the bank's routes answer: a register or token path under one of them is left to the router. */
const EARLIER_PREFIXES = ['/directory', '/cdr-register', OBF_DIRECTORY_PATH, ADMIN_PATH];
/** A lower-cased path that is one of the prefixes or lies under one (Express matches paths case-insensitively). */
const underAny = (lower: string, prefixes: readonly string[]) => prefixes.some((p) => lower === p.toLowerCase() || lower.startsWith(`${p.toLowerCase()}/`));

export function createApp(deps: AppDeps): Express {
  const dialect = deps.profile.registration.dialect ?? 'obie';
  const registerPath = (deps.profile.basePath || '') + deps.profile.paths.register;
  const lower = registerPath.toLowerCase();
  // POST {register} of the OBIE dialect, the hot path, runs its handlers without Express's router
  // matching every layer first (http/fast-route.ts); the router has the same handlers for every other spelling.
  const post = dialect === 'obie' ? registrationPost(deps) : undefined;
  const fast = post && !underAny(lower, EARLIER_PREFIXES) ? fastRoute('POST', registerPath, post) : undefined;
  // POST {token} likewise, in every dialect, unless a layer before it could answer it: an earlier
  // prefix, or the registration router's own (its path and what is under it).
  const tokenPath = (deps.profile.basePath || '') + deps.profile.paths.token;
  const token = tokenPost(deps);
  const fastToken = underAny(tokenPath.toLowerCase(), [...EARLIER_PREFIXES, registerPath]) ? undefined : fastRoute('POST', tokenPath, token);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  oneWriteJson(app);
  app.use((req, res, next) => (isHealthCheck(req) ? health(res) : next()));
  app.use(requestContext({ logger: deps.logger, store: deps.store, journalExcept: ADMIN_PATH }));
  app.use(deps.runtimeFaults.middleware({ store: deps.store, logger: deps.logger, except: ADMIN_PATH }));
  if (fast) app.use(fast);
  if (fastToken) app.use(fastToken);
  if (adminEnabled(deps.config)) app.use(ADMIN_PATH, adminUiRoutes(deps), adminRoutes(deps));
  app.use(directoryRoutes(deps));
  app.use(cdrRegisterRoutes(deps));
  if (deps.obfDirectory && !deps.config.directoryUrl) app.use(obfDirectoryRoutes(deps.obfDirectory, { maxBodyBytes: deps.config.maxBodyBytes, logger: deps.logger }));
  const bank = express.Router();
  bank.use(discoveryRoutes(deps));
  bank.use(post ? registerRoutes(deps, post) : REGISTRATION_ROUTES[dialect](deps));
  bank.use(tokenRoutes(deps, token));
  app.use(deps.profile.basePath || '/', bank);
  app.use(profileEnvelope, (req) => {
    throw new NotFound(`no route for ${req.method} ${req.path}`);
  });
  app.use(errorHandler(deps.logger, deps.profile.errors));
  return app;
}
