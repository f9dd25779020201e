import { describe, type RuleId } from '../../catalogue/rules';
import { NotFound, RuleViolation } from '../errors';
import type { ClientRecord, TokenRecord } from '../store/types';
import { tokenHash } from './token';
import type { RuleTrace } from './rule-trace';

export interface ManagementRequest {
  authorization: string | undefined;
  /** x5t#S256 of the presented client certificate, if any. */
  certThumbprint: string | undefined;
  clientIdInPath: string;
}

export interface ManagementContext {
  getToken: (hash: string) => Promise<TokenRecord | undefined>;
  getClient: (clientId: string) => Promise<ClientRecord | undefined>;
  revokeToken: (hash: string) => Promise<boolean>;
  skip: ReadonlySet<RuleId>;
  /** Records every rule checked, with its verdict, for the journal (core/rule-trace.ts). */
  trace?: RuleTrace;
}

export interface Authorized {
  client: ClientRecord;
  /** Undefined only under the fault MGT-BEARER-REQUIRED, which serves requests without a token. */
  token: TokenRecord | undefined;
}

/** RFC 6750 3.1: no error code when the request carried no token; invalid_token otherwise. */
const NO_TOKEN = { 'www-authenticate': 'Bearer' };
const INVALID_TOKEN = { 'www-authenticate': 'Bearer error="invalid_token"' };

function refuse(rule: RuleId, detail: string, headers: Record<string, string> = INVALID_TOKEN): never {
  throw new RuleViolation(rule, detail, { headers });
}

/**
 * Authorizes GET / PUT / DELETE on {register}/{ClientId} with a client_credentials bearer token:
 * the token must be live, presented with the certificate it is bound to, and issued to that client.
 * OBIE: an unknown ClientId answers 401 and the presented token is revoked at once.
 */
export async function authorizeManagement(req: ManagementRequest, ctx: ManagementContext): Promise<Authorized> {
  const t = ctx.trace;
  try {
    const authorized = await authorizeChecked(req, ctx);
    for (const r of ['MGT-BEARER-REQUIRED', 'MGT-TOKEN-VALID', 'MGT-TOKEN-CERT-BOUND', 'MGT-UNKNOWN-CLIENT', 'MGT-CLIENT-MATCH'] as const) t?.check(r, true, ctx.skip.has(r));
    return authorized;
  } catch (e) {
    // The rules before the failing one passed (they run in this order); the failing one failed.
    const order = ['MGT-BEARER-REQUIRED', 'MGT-TOKEN-VALID', 'MGT-TOKEN-CERT-BOUND', 'MGT-UNKNOWN-CLIENT', 'MGT-CLIENT-MATCH'] as const;
    const failed = (e as { rule?: RuleId }).rule;
    if (t && failed) {
      for (const r of order) {
        if (r === failed) break;
        t.check(r, true, ctx.skip.has(r));
      }
      t.record(failed, 'fail');
    }
    throw e;
  }
}

async function authorizeChecked(req: ManagementRequest, ctx: ManagementContext): Promise<Authorized> {
  const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(req.authorization ?? '');
  if (!m && ctx.skip.has('MGT-BEARER-REQUIRED')) {
    // Fault (test-only): no bearer token required; the request acts as the client in the path.
    const client = await ctx.getClient(req.clientIdInPath);
    if (!client) refuse('MGT-UNKNOWN-CLIENT', `no client ${JSON.stringify(req.clientIdInPath)}`);
    return { client: client!, token: undefined };
  }
  if (!m) {
    refuse('MGT-BEARER-REQUIRED', req.authorization ? 'the Authorization header is not "Bearer <token>"' : 'Authorization: Bearer <access token> is required', NO_TOKEN);
  }
  const hash = tokenHash(m![1]!);
  const token = await ctx.getToken(hash);
  if (!token) refuse('MGT-TOKEN-VALID', 'the access token is unknown, expired or revoked');
  const bound = token!.cnf?.['x5t#S256'];
  if (bound !== undefined && bound !== req.certThumbprint && !ctx.skip.has('MGT-TOKEN-CERT-BOUND')) {
    refuse('MGT-TOKEN-CERT-BOUND', req.certThumbprint ? 'the access token is bound to another client certificate' : 'the access token is certificate-bound; present that client certificate');
  }
  const client = await ctx.getClient(req.clientIdInPath);
  if (!client) {
    // Fault (test-only): 404 not_found, as many banks answer, and the token survives.
    if (ctx.skip.has('MGT-UNKNOWN-CLIENT')) throw new NotFound(describe('MGT-UNKNOWN-CLIENT', `no client ${JSON.stringify(req.clientIdInPath)}`), { rule: 'MGT-UNKNOWN-CLIENT' });
    if (!ctx.skip.has('MGT-UNKNOWN-REVOKES')) await ctx.revokeToken(hash);
    refuse('MGT-UNKNOWN-CLIENT', `no client ${JSON.stringify(req.clientIdInPath)}; the presented access token is revoked`);
  }
  if (token!.client_id !== client!.client_id && !ctx.skip.has('MGT-CLIENT-MATCH')) {
    throw new RuleViolation('MGT-CLIENT-MATCH', 'the access token was issued to another client');
  }
  return { client: client!, token: token! };
}
