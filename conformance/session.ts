import { randomUUID } from 'node:crypto';
import { foreignKey, prewarmKeys, sharedKey, signingKeyFromJwk, OWN_KEY_ROLES, type SigningKey } from '../fixtures/keys';
import { prewarmUntrusted } from '../fixtures/untrusted';
import { registrationClaims, signJws, unsignedJws, decodePayload } from '../fixtures/registration';
import { requestHeaders, type Credentials, type RequestOptions } from '../fixtures/https';
import { AgentPool } from './agents';
import { record, body, explainTransportError, registeredClient, type Recorded, type RegisteredClient } from './exchange';
import { summarize } from './diagnose';
import { createDirectoryAdapter, type DirectoryAdapter } from './directory';
import { startJwksHost, type JwksHost } from './jwks-host';
import { dialectOf, type AuthMethod, type Target } from './target';
import { DIALECTS } from './dialects';
import { pool } from './pool';

/** The bank could not be reached or refused the connection: a run error (exit 2), not a finding. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

export interface ClientAuth {
  method: string;
  secret?: string;
  /** The scope parameter of the token request, when one is sent (cdr: cdr:registration). */
  scope?: string;
  /** The client certificate of this token request; null sends none. Defaults to the transport certificate. */
  client?: Credentials | null;
  /** private_key_jwt: how to build the client assertion, when not the valid one. */
  assertion?: AssertionOptions;
}

/** A client assertion with one change, for the token endpoint's negative probes. */
export interface AssertionOptions {
  /** Claim overrides (undefined deletes the claim). */
  claims?: Record<string, unknown>;
  /** Signing key (and kid) other than the software key. */
  key?: SigningKey;
  /** alg none: an unsigned assertion. */
  unsigned?: boolean;
  /** Sent as is (a replay of an earlier assertion). */
  jwt?: string;
}

export interface ManageOptions {
  /** The client certificate of this request; null sends none. Defaults to the transport certificate. */
  client?: Credentials | null;
  /** Send no Authorization header at all (not even an empty bearer token). */
  noAuthorization?: boolean;
}

export interface PostOptions {
  contentType?: string;
  /** Client certificate; null sends none. Defaults to the transport certificate. */
  client?: Credentials | null;
  sent?: Record<string, unknown>;
  /**
   * The bearer token of this POST, when not the target's (its initial access token, or the
   * registration token client's): null sends none, a string sends that one (the initial access token probes).
   */
  bearer?: string | null;
}

/** One run against a target: discovery done, keys and the base SSA ready, every exchange recorded. */
export interface Session {
  target: Target;
  discovery: Recorded | { skipped: string };
  registrationEndpoint: string;
  tokenEndpoint: string | undefined;
  aud: string;
  key: SigningKey;
  /** An RS256 key the software JWKS holds (or the main RSA key with RS256), for the RS256 refusal. */
  rsKey: SigningKey;
  /** Keys of other algorithms the software JWKS holds (an ES256 key when the pack hosts the JWKS, or the target's extraSigningKeys), for the advertised-alg checks. */
  extraKeys: SigningKey[];
  directory: DirectoryAdapter;
  ssa: string;
  claims(overrides?: Record<string, unknown>, opts?: { method?: AuthMethod; ssa?: string }): Record<string, unknown>;
  sign(claims: Record<string, unknown>, opts?: { key?: SigningKey; header?: Record<string, unknown> }): Promise<string>;
  post(name: string, jwt: string, opts?: PostOptions): Promise<Recorded>;
  /** The client a registration created: id, secret and auth method, from the body or the declared headers. */
  registered(r: Recorded): RegisteredClient;
  /**
   * client_credentials for a client: tls_client_auth by default, or the method and secret it
   * registered with. The recorded `sent` holds clientId, method and, for private_key_jwt, the assertion.
   */
  token(name: string, clientId: string, auth?: ClientAuth): Promise<Recorded>;
  /**
   * GET/PUT/DELETE {registration_endpoint}/{clientId} with a bearer token, over mTLS with the
   * transport certificate; `true` (without a certificate) or another certificate as the last argument.
   */
  manage(name: string, method: 'GET' | 'PUT' | 'DELETE', clientId: string, token: string | undefined, jwt?: string, withoutCertificate?: boolean | ManageOptions): Promise<Recorded>;
  /**
   * RFC 7592 3: the newest registration access token the bank returned for a client (on POST, GET or
   * PUT: a bank may rotate it on any answer), or undefined when it returned none.
   */
  rat(clientId: string): string | undefined;
  /** Deletes the clients this session created that still exist, when the bank allows it: `concurrency` clients at a time (default one after another). */
  cleanup(concurrency?: number): Promise<string[]>;
  /** Set once the bank stopped answering (consecutive timeouts): every later exchange is blocked. */
  readonly unresponsive: string | undefined;
  /** Ends the run: every later exchange is blocked with this reason. */
  stopAnswering(reason: string): void;
  /** Performs and records one exchange, counting consecutive timeouts. */
  exchange(name: string, url: string, opts: RequestOptions, sent?: Record<string, unknown>): Promise<Recorded>;
  /**
   * A view of this session for one plan, so that plans can run side by side: keys, SSA,
   * connections, the timeout count and `unresponsive` are shared; the clients it creates are its
   * own, and its cleanup deletes only those.
   */
  forPlan(plan?: string): Session;
  /**
   * The pack's own HTTPS host for the run (conformance/jwks-host.ts), started on first use and shared
   * by every view; close() stops it. With `own`, a host for the caller alone (its own loopback port,
   * so that what reaches it is the caller's without reading the time), unless the target fixes where
   * the host listens or how banks reach it (jwksHostBind, jwksHostUrl): then the shared one.
   */
  jwksHost(own?: boolean): Promise<JwksHost>;
  /** Ends the run's keep-alive connections (one agent per credential set) and the pack's host. Exchanges after it open their own. */
  close(): void;
}

/** The target fixes where the pack's host listens or how banks reach it: one host for the run, shared by every row that names it. */
export const sharedHostOnly = (target: Pick<Target, 'jwksHost'>): boolean => Boolean(target.jwksHost?.bind || target.jwksHost?.publicUrl);

/** One request as it went on the wire (authorization unredacted), for the bench's replay. */
export interface SentRequest {
  name: string;
  /** The plan whose view sent it (forPlan); undefined for discovery, the SSA and the pre-flight. */
  plan?: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  client?: Credentials;
  ca?: string | string[];
  insecure?: boolean;
}

export interface SessionOptions {
  /** Called with every request the session sends (discovery, SSA mints and every exchange), before it is sent. */
  onRequest?: (r: SentRequest) => void;
  /**
   * Start making the keys and the untrusted certificate the probes use in the background while
   * discovery and the SSA are fetched (they are made once per process). Default true.
   */
  prewarm?: boolean;
}

/** After this many consecutive timeouts the bank is taken to have stopped answering. */
export const MAX_CONSECUTIVE_TIMEOUTS = 3;

/** token_endpoint_auth_method of a registration JWT the pack signed itself. */
function authMethodOf(jwt: string): string | undefined {
  try {
    const m = decodePayload(jwt).token_endpoint_auth_method;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return undefined;
  }
}

const tlsOf = (t: Target) => ({ ...(t.ca ? { ca: t.ca } : {}), insecure: t.insecure, timeoutMs: t.timeoutMs });

export async function openSession(target: Target, options: SessionOptions = {}): Promise<Session> {
  const tls = tlsOf(target);
  const agents = new AgentPool();
  /** Every request of the session: its credential set's keep-alive agent, and the tap. */
  const send = (name: string, url: string, opts: RequestOptions, sent: Record<string, unknown> = {}, plan?: string): Promise<Recorded> => {
    options.onRequest?.({
      name,
      ...(plan ? { plan } : {}),
      method: opts.method ?? 'GET',
      url,
      headers: requestHeaders(opts),
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      ...(opts.client ? { client: opts.client } : {}),
      ...(opts.ca ? { ca: opts.ca } : {}),
      ...(opts.insecure ? { insecure: true } : {}),
    });
    const agent = agents.for(opts);
    return record(name, url, agent ? { ...opts, agent } : opts, sent);
  };
  // The keys first, in the background: RSA key generation is the slowest thing a run does.
  const keyReady = target.signingKey ? signingKeyFromJwk(target.signingKey) : sharedKey('software', 'PS256');
  const hosted = target.directory.mode !== 'given' && !(target.directory.mode === 'local-key' && target.directory.softwareJwksEndpoint);
  // RS256 with the software's own RSA key (an EC key cannot: then another RSA key). When the pack hosts
  // the JWKS, that key is in it a second time under its own kid, declared RS256, so that the bank
  // can only refuse the algorithm, not a key that does not match; a second key would cost another
  // RSA key generation for nothing the bank can tell apart.
  const rsReady = keyReady.then((k) =>
    k.privateJwk.kty === 'RSA' ? signingKeyFromJwk({ ...k.privateJwk, alg: 'RS256', ...(hosted ? { kid: `${k.kid}-rs256` } : {}) }) : sharedKey('software', 'RS256'),
  );
  // An ES256 key beside an RSA one, when the pack hosts the JWKS: each advertised signing alg is then exercised (P-256 keys are quick to make).
  const extraReady: Promise<SigningKey[]> = hosted
    ? keyReady.then(async (k) => (k.alg === 'ES256' ? [] : [await sharedKey('software', 'ES256')]))
    : Promise.all((target.extraSigningKeys ?? []).map((j) => signingKeyFromJwk(j)));
  keyReady.catch(() => undefined);
  rsReady.catch(() => undefined);
  extraReady.catch(() => undefined);
  if (options.prewarm !== false) {
    // The foreign key (also the untrusted certificates' key) beside the software key: two cores make both at once.
    prewarmUntrusted();
    keyReady.then((k) => foreignKey(k.alg as 'PS256' | 'RS256' | 'ES256')).catch(() => undefined);
    // Then the keys of the probes that bring their own (late in the registration plan), after the two the run needs first.
    Promise.all([keyReady, foreignKey('PS256')])
      .then(() => prewarmKeys(Object.values(OWN_KEY_ROLES)))
      .catch(() => undefined);
  }
  /** The keys, the directory adapter and the base SSA. */
  async function ssaOf(): Promise<{ key: SigningKey; rsKey: SigningKey; extraKeys: SigningKey[]; directory: DirectoryAdapter; ssa: string }> {
    const key = await keyReady;
    const rsKey = await rsReady;
    const extraKeys = await extraReady;
    const directory = createDirectoryAdapter(
      target.directory,
      {
        softwareId: target.softwareId,
        orgId: target.orgId,
        redirectUris: target.redirectUris,
        roles: target.roles,
        jwks: { keys: hosted ? [key.publicJwk, rsKey.publicJwk, ...extraKeys.map((k) => k.publicJwk)] : [key.publicJwk] },
      },
      { ...tls, request: (url, opts) => send('directory-ssa', url, opts) },
      target.transport,
      dialectOf(target),
    );
    try {
      return { key, rsKey, extraKeys, directory, ssa: await directory.base() };
    } catch (e) {
      throw new ConnectionError(`cannot obtain an SSA (${target.directory.mode}): ${(e as Error).message}`);
    }
  }

  try {
    return await open();
  } catch (e) {
    agents.destroy();
    throw e;
  }

  async function open(): Promise<Session> {
    const transport: Credentials | undefined = target.transport;
    // The SSA needs the keys, not discovery: it is fetched while discovery is (one round trip less
    // before the first plan). Discovery's errors still come first.
    const ssaReady = ssaOf();
    ssaReady.catch(() => undefined);
    let discovery: Recorded | { skipped: string } = { skipped: 'no discoveryUrl configured' };
    let registrationEndpoint = target.registrationEndpoint;
    let tokenEndpoint: string | undefined;
    let issuer: string | undefined;
    if (target.discoveryUrl) {
      const d = await send('discovery', target.discoveryUrl, tls);
      if (d.status === 0) throw new ConnectionError(`cannot fetch discovery: ${explainTransportError(d.transportError ?? '', target.discoveryUrl, false)}`);
      discovery = d;
      const usable = d.status === 200 && typeof d.json === 'object' && d.json !== null && !Array.isArray(d.json);
      if (!usable && !registrationEndpoint) {
        throw new ConnectionError(`discovery at ${target.discoveryUrl} answered ${summarize(d)}, not 200 with a JSON object; fix it, or set registrationEndpoint to test registration regardless`);
      }
      const b = body(d);
      registrationEndpoint ??= typeof b.registration_endpoint === 'string' ? b.registration_endpoint : undefined;
      tokenEndpoint = typeof b.token_endpoint === 'string' ? b.token_endpoint : undefined;
      issuer = typeof b.issuer === 'string' ? b.issuer : undefined;
    }
    if (!registrationEndpoint) throw new ConnectionError('no registration endpoint: discovery does not advertise one and registrationEndpoint is not configured');
    const aud = target.aud ?? issuer ?? new URL(registrationEndpoint).origin;

    const { key, rsKey, extraKeys, directory, ssa } = await ssaReady;

    const clientUris = new Map<string, string>();
    /** The newest registration access token of each client (RFC 7592 3), shared by the plans' views. */
    const rats = new Map<string, string>();
    /** Keeps the registration access token of a 2xx answer for the client, when it carries one. */
    const noteRat = (clientId: string, r: Recorded) => {
      const t = body(r).registration_access_token;
      if (r.status >= 200 && r.status < 300 && typeof t === 'string' && t !== '') rats.set(clientId, t);
    };
    let unresponsive: string | undefined;
    let host: Promise<JwksHost> | undefined;
    const ownHosts: Array<Promise<JwksHost>> = [];
    let closed = false;
    const jwksHost = (own = false): Promise<JwksHost> => {
      if (closed) return Promise.reject(new Error('the session is closed: its host is stopped'));
      if (own && !sharedHostOnly(target)) {
        const h = startJwksHost();
        ownHosts.push(h);
        return h;
      }
      return (host ??= startJwksHost({ ...(target.jwksHost?.bind ? { bind: target.jwksHost.bind } : {}), ...(target.jwksHost?.publicUrl ? { publicUrl: target.jwksHost.publicUrl } : {}) }));
    };
    /**
     * Each view counts its own consecutive timeouts (a plan's exchanges follow one another), so
     * that plans running side by side cannot reset each other's count: the outcome does not depend
     * on how they interleave. Any view reaching the limit ends the run for all.
     */
    const exchangeOf = (plan?: string) => {
      let timeouts = 0;
      return async (name: string, url: string, opts: RequestOptions, sent: Record<string, unknown> = {}): Promise<Recorded> => {
        const r = await send(name, url, opts, sent, plan);
        timeouts = r.timedOut ? timeouts + 1 : 0;
        if (timeouts >= MAX_CONSECUTIVE_TIMEOUTS && !unresponsive) {
          unresponsive = `the bank stopped answering: ${timeouts} consecutive exchanges got no answer within ${target.timeoutMs} ms (the last: ${r.request.method} ${url})`;
        }
        return r;
      };
    };
    const exchange = exchangeOf();
    const extra = target.headers ?? {};
    let registrationToken: Promise<string | undefined> | undefined;
    /** The bearer token protecting POST {register}, obtained once (client_credentials, client_secret_basic). */
    const registrationBearer = (): Promise<string | undefined> => {
      if (target.initialAccessToken) return Promise.resolve(target.initialAccessToken);
      const auth = target.registrationAuth;
      if (!auth) return Promise.resolve(undefined);
      registrationToken ??= (async () => {
        const url = auth.tokenEndpoint ?? tokenEndpoint;
        if (!url) return undefined;
        const basic = Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64');
        const r = await exchange('registration-token', url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
          body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
          ...(transport ? { client: transport } : {}),
          ...tls,
        });
        const t = body(r).access_token;
        return typeof t === 'string' ? t : undefined;
      })();
      return registrationToken;
    };
    /**
     * RFC 7592 2: the client configuration endpoint is the registration_client_uri the bank returned;
     * OBIE's {registration_endpoint}/{ClientId} when it returned none.
     */
    const clientUri = (clientId: string): string => {
      return clientUris.get(clientId) ?? `${registrationEndpoint}/${encodeURIComponent(clientId)}`;
    };
    /** RFC 7523 3: iss = sub = client_id, aud the token endpoint, short exp, unique jti; or that with one change. */
    const clientAssertion = async (clientId: string, aud: string, opts: AssertionOptions = {}): Promise<string> => {
      if (opts.jwt !== undefined) return opts.jwt;
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = { iss: clientId, sub: clientId, aud, iat: now, exp: now + 60, jti: randomUUID() };
      for (const [k, v] of Object.entries(opts.claims ?? {})) {
        if (v === undefined) delete claims[k];
        else claims[k] = v;
      }
      const signer = opts.key ?? key;
      return opts.unsigned ? unsignedJws(claims, { kid: signer.kid }) : signJws(claims, signer);
    };
    /** The session, or a view of it for one plan: all shared but the clients it created (and deletes on cleanup). */
    const view = (plan?: string): Session => {
      const created = new Map<string, Recorded>();
      const exchange = exchangeOf(plan);
      const session: Session = {
        target,
        discovery,
        registrationEndpoint,
        tokenEndpoint,
        aud,
        key,
        rsKey,
        extraKeys,
        directory,
        ssa,
        claims(overrides = {}, opts = {}) {
          const method = opts.method ?? target.capabilities.authMethods[0] ?? 'tls_client_auth';
          const c = registrationClaims({
            softwareId: target.softwareId,
            softwareStatement: opts.ssa ?? ssa,
            redirectUris: target.redirectUris.slice(0, 1),
            aud,
            authMethod: method,
            subjectDn: target.subjectDn,
            version: target.specVersion,
            ...(target.capabilities.scopeFormat ? { scopeAs: target.capabilities.scopeFormat } : {}),
          });
          if (target.capabilities.responseTypes) c.response_types = [...target.capabilities.responseTypes];
          for (const [k, v] of Object.entries(overrides)) {
            if (v === undefined) delete c[k];
            else c[k] = v;
          }
          return c;
        },
        sign: (claims, opts = {}) => signJws(claims, opts.key ?? key, opts.header ?? {}),
        async post(name, jwt, opts = {}) {
          const client = opts.client === null ? undefined : (opts.client ?? transport);
          const bearer = opts.bearer === null ? undefined : (opts.bearer ?? (await registrationBearer()));
          const headers = { ...extra, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), 'content-type': opts.contentType ?? target.capabilities.contentType };
          const r = await exchange(
            name,
            registrationEndpoint,
            { method: 'POST', headers, body: jwt, ...tls, ...(client ? { client } : {}) },
            { softwareId: target.softwareId, authMethod: authMethodOf(jwt), ...opts.sent },
          );
          const id = session.registered(r).clientId;
          if (r.status >= 200 && r.status < 300 && id) {
            r.clientId = id;
            created.set(id, r);
            noteRat(id, r);
            const uri = body(r).registration_client_uri;
            // Only on the registration endpoint's own origin: the management token is never sent elsewhere.
            if (typeof uri === 'string' && URL.canParse(uri) && new URL(uri).origin === new URL(registrationEndpoint).origin) clientUris.set(id, uri);
          }
          return r;
        },
        registered: (r) => registeredClient(r, target.capabilities.credentialHeaders),
        async token(name, clientId, auth = { method: 'tls_client_auth' }) {
          if (!tokenEndpoint) return missingEndpoint(name, 'token_endpoint');
          const form: Record<string, string> = { grant_type: 'client_credentials', client_id: clientId, ...(auth.scope !== undefined ? { scope: auth.scope } : {}) };
          const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
          if (auth.method === 'client_secret_basic') {
            headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(auth.secret ?? '')}`).toString('base64')}`;
            delete form.client_id;
          } else if (auth.method === 'client_secret_post') {
            form.client_secret = auth.secret ?? '';
          } else if (auth.method === 'private_key_jwt') {
            form.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
            form.client_assertion = await clientAssertion(clientId, tokenEndpoint, auth.assertion);
          }
          const client = auth.client === null ? undefined : (auth.client ?? transport);
          const sent = { clientId, method: auth.method, ...(form.client_assertion ? { assertion: form.client_assertion } : {}) };
          return exchange(name, tokenEndpoint, { method: 'POST', headers, body: new URLSearchParams(form).toString(), ...(client ? { client } : {}), ...tls }, sent);
        },
        async manage(name, method, clientId, token, jwt, withoutCertificate = false) {
          const opts: ManageOptions = withoutCertificate === true ? { client: null } : withoutCertificate === false ? {} : withoutCertificate;
          const client = opts.client === null ? undefined : (opts.client ?? transport);
          const headers: Record<string, string> = { ...extra, ...(opts.noAuthorization ? {} : { authorization: `Bearer ${token ?? ''}` }) };
          if (jwt !== undefined) headers['content-type'] = target.capabilities.contentType;
          const r = await exchange(
            name,
            clientUri(clientId),
            { method, headers, ...(jwt !== undefined ? { body: jwt } : {}), ...(client ? { client } : {}), ...tls },
            { clientId },
          );
          if (method === 'DELETE' && (r.status === 204 || r.status === 200)) created.delete(clientId);
          else noteRat(clientId, r);
          return r;
        },
        get unresponsive() {
          return unresponsive;
        },
        stopAnswering(reason) {
          unresponsive ??= reason;
        },
        rat: (clientId) => rats.get(clientId),
        exchange,
        forPlan: view,
        jwksHost,
        close: () => {
          closed = true;
          agents.destroy();
          for (const h of [...(host ? [host] : []), ...ownHosts]) h.then((x) => x.close(), () => undefined);
        },
        async cleanup(concurrency = 1) {
          if (!target.capabilities.management || !target.capabilities.operations.includes('DELETE')) return [];
          const rat = DIALECTS[dialectOf(target)].managementAuth === 'registration-access-token';
          /** Deletes one client; true when the bank answered 204. Each client's deletion is independent of the others'. */
          const remove = async (id: string, r: Recorded): Promise<boolean> => {
            if (unresponsive) return false;
            // RFC 7592 2.3: DELETE with the client's newest registration access token.
            if (rat) {
              const t = rats.get(id);
              return !!t && (await session.manage('cleanup-delete', 'DELETE', id, t)).status === 204;
            }
            const { method, secret } = session.registered(r);
            const scope = DIALECTS[dialectOf(target)].managementScope;
            const auth: ClientAuth = { method, ...(secret ? { secret } : {}), ...(scope ? { scope } : {}) };
            const t = body(await session.token('cleanup-token', id, auth)).access_token;
            return typeof t === 'string' && (await session.manage('cleanup-delete', 'DELETE', id, t)).status === 204;
          };
          const limited = pool(Math.max(1, concurrency));
          const clients = [...created];
          const done = await Promise.all(clients.map(([id, r]) => limited(() => remove(id, r))));
          return clients.filter((_, i) => done[i]).map(([id]) => id);
        },
      };
      return session;
    };
    return view();
  }
}

function missingEndpoint(name: string, what: string): Recorded {
  return { name, request: { method: 'POST', url: '', headers: {} }, status: 0, headers: {}, text: '', json: undefined, ms: 0, transportError: `discovery advertises no ${what}`, sent: {} };
}

