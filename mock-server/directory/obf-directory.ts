import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { AccessDenied, InvalidRequest, TemporarilyUnavailable } from '../errors';
import { attributeOf, obfCertificateDn, OID, orgIdOf } from '../../common/obf-dn';
import { OBF_ROLES } from '../core/obf';
import { checkPublicJwks } from './directory';
import { makeObfIdentity } from './obf-identity';
import { DirectorySigner, generateSoftwareKey, mintInput, type MintInputBase, type SignerOptions } from './signer';

/**
 * A mock of the Open Finance Brasil Directory of Participants: it signs software statements (PS256)
 * in the shape of OBF DCR 1.0 ID3 "Attributes of the Software Statement Assertion" (org_id and
 * software_id UUIDs, software_statement_roles, software_jwks_uri, no exp), publishes its key set
 * (the "openbanking.jwks" of "SSA Key Store and Issuer Details") and hosts each software's
 * application key set at <base>/<org_id>/<software_id>/application.jwks.
 *
 * Over HTTP a mint needs a client certificate: the software is the one the certificate names (UID =
 * software_id, organizationIdentifier = OFBBR-<org_id>), as the real directory issues a software's
 * statement to that software only. In process (the operator, a test) any identity may be minted.
 */
/**
 * software_roles: OBF regulatory roles (DADOS, PAGTO, CONTA, CCORR), each an Active
 * software_statement_roles entry; jwks: the application key set, hosted at software_jwks_uri (a PS256
 * key is generated when absent); iat: for the stale-statement probes.
 */
export type ObfMintInput = MintInputBase;

export interface ObfMintResult {
  software_statement: string;
  software_id: string;
  org_id: string;
  software_jwks_uri: string;
  claims: Record<string, unknown>;
  /** Only when the directory generated the application key: its private JWK, given out once. */
  signing_key?: JWK;
}

/** baseUrl: e.g. https://localhost:8443/obf-directory */
export interface ObfDirectoryOptions extends SignerOptions {
  maxSoftware?: number;
  maxKeysPerSoftware?: number;
}

export const OBF_DIRECTORY_PATH = '/obf-directory';
/** The iss of its statements (the real ones: "Open Banking Open Banking Brasil prod SSA issuer"). */
export const OBF_DIRECTORY_ISSUER = 'DCR Mock Open Finance Brasil SSA issuer';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Claims the directory sets itself: a mint cannot override them. */
const RESERVED = new Set(['iss', 'jti', 'software_jwks_uri', 'software_statement_roles', 'software_roles', 'organisation_competent_authority_claims']);

function bad(field: string, why: string): never {
  throw new InvalidRequest(`${field} ${why}`);
}

export class ObfDirectory extends DirectorySigner {
  private readonly maxSoftware: number;
  private readonly maxKeys: number;
  /** software_id -> its org and the application keys it minted with, newest last. */
  private readonly software = new Map<string, { orgId: string; keys: JWK[] }>();

  constructor(opts: ObfDirectoryOptions) {
    super(opts);
    this.maxSoftware = opts.maxSoftware ?? 1000;
    this.maxKeys = opts.maxKeysPerSoftware ?? 8;
  }

  softwareJwksUri(orgId: string, softwareId: string): string {
    return `${this.baseUrl}/${orgId}/${softwareId}/application.jwks`;
  }

  softwareJwks(orgId: string, softwareId: string): JSONWebKeySet | undefined {
    const s = this.software.get(softwareId.toLowerCase());
    return s && s.orgId === orgId.toLowerCase() ? { keys: s.keys } : undefined;
  }

  /** The hosted key set a URL of this directory names, for the bank's in-process fetcher. */
  resolveJwksUrl(url: string): JSONWebKeySet | undefined {
    if (!url.startsWith(`${this.baseUrl}/`)) return undefined;
    const m = /^([^/]+)\/([^/]+)\/application\.jwks$/.exec(url.slice(this.baseUrl.length + 1));
    return m ? this.softwareJwks(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)) : undefined;
  }

  /** Signs a software statement. `certificate`: the DER client certificate of an HTTP caller, whose UID and organizationIdentifier name the software. */
  async mint(raw: unknown = {}, certificate?: Buffer): Promise<ObfMintResult> {
    const input = mintInput<ObfMintInput>(raw);
    const f = await this.faker();
    const id = makeObfIdentity(f);
    let softwareId = input.software_id ?? id.software_id;
    let orgId = input.org_id ?? id.org_id;
    if (certificate) {
      const dn = obfCertificateDn(certificate);
      const uid = attributeOf(dn, OID.uid);
      const org = orgIdOf(dn);
      if (!uid || !org) throw new AccessDenied('the client certificate carries no UID and organizationIdentifier OFBBR-<org_id>: it is not an Open Finance Brasil transport certificate');
      if (input.software_id !== undefined && input.software_id.toLowerCase() !== uid.toLowerCase()) throw new AccessDenied(`the client certificate is of software ${uid}, not ${input.software_id}`);
      if (input.org_id !== undefined && input.org_id.toLowerCase() !== org.toLowerCase()) throw new AccessDenied(`the client certificate is of organisation ${org}, not ${input.org_id}`);
      softwareId = uid;
      orgId = org;
    }
    if (typeof softwareId !== 'string' || !UUID.test(softwareId)) bad('software_id', 'must be a UUID');
    if (typeof orgId !== 'string' || !UUID.test(orgId)) bad('org_id', 'must be a UUID');
    softwareId = softwareId.toLowerCase();
    orgId = orgId.toLowerCase();
    const known = this.software.get(softwareId);
    if (known && known.orgId !== orgId) throw new AccessDenied(`software ${softwareId} belongs to another organisation`);
    if (!known && this.software.size >= this.maxSoftware) throw new TemporarilyUnavailable(`the directory holds its maximum of ${this.maxSoftware} software`);

    const strings = (v: unknown, field: string, ok: (s: string) => boolean): string[] => {
      if (!Array.isArray(v) || v.length === 0 || v.length > 16 || !v.every((s) => typeof s === 'string' && ok(s))) bad(field, 'must be a non-empty array of valid values');
      return v as string[];
    };
    const redirectUris = input.software_redirect_uris === undefined ? [`https://${f.internet.domainName()}/callback`] : strings(input.software_redirect_uris, 'software_redirect_uris', (u) => URL.canParse(u));
    const roles = input.software_roles === undefined ? ['DADOS', 'PAGTO'] : strings(input.software_roles, 'software_roles', (r) => OBF_ROLES.includes(r));
    const now = Math.floor(Date.now() / 1000);
    const iat = input.iat ?? now;
    if (!Number.isInteger(iat)) bad('iat', 'must be an integer');
    for (const field of ['org_name', 'software_client_name'] as const) if (input[field] !== undefined && typeof input[field] !== 'string') bad(field, 'must be a string');

    let keys: JWK[];
    let signing_key: JWK | undefined;
    if (input.jwks !== undefined) keys = checkPublicJwks(input.jwks).keys as JWK[];
    else {
      const generated = await generateSoftwareKey('PS256');
      keys = [generated.publicJwk];
      signing_key = generated.privateJwk;
    }
    const hosted = [...(known?.keys ?? []).filter((k) => !keys.some((n) => n.kid !== undefined && n.kid === k.kid)), ...keys].slice(-this.maxKeys);

    // What the caller may add: claims of its own (e.g. software_client_description), never the directory's.
    const extra = Object.fromEntries(Object.entries(input).filter(([k]) => !RESERVED.has(k) && !['software_id', 'org_id', 'software_redirect_uris', 'jwks', 'iat', 'exp', '__proto__'].includes(k)));
    const origin = new URL(redirectUris[0]!).origin;
    const software_jwks_uri = this.softwareJwksUri(orgId, softwareId);
    const claims: Record<string, unknown> = {
      software_mode: 'Live',
      software_redirect_uris: redirectUris,
      software_statement_roles: roles.map((role) => ({ role, authorisation_domain: 'Open Banking', status: 'Active' })),
      software_client_name: input.software_client_name ?? id.software_client_name,
      org_status: 'Active',
      software_client_id: softwareId,
      iss: this.issuer,
      software_tos_uri: `${origin}/tos.html`,
      software_client_description: f.company.catchPhrase(),
      software_jwks_uri,
      software_policy_uri: `${origin}/policy.html`,
      software_id: softwareId,
      software_client_uri: origin,
      software_jwks_inactive_uri: `${this.baseUrl}/${orgId}/${softwareId}/inactive/application.jwks`,
      software_jwks_transport_uri: `${this.baseUrl}/${orgId}/${softwareId}/transport.jwks`,
      software_jwks_transport_inactive_uri: `${this.baseUrl}/${orgId}/${softwareId}/inactive/transport.jwks`,
      software_logo_uri: `${origin}/logo.png`,
      org_id: orgId,
      org_number: id.org_number,
      software_environment: 'sandbox',
      software_version: '1.0',
      software_roles: roles,
      org_name: input.org_name ?? id.org_name,
      iat,
      jti: randomUUID(),
      organisation_competent_authority_claims: roles.map((role) => ({
        authorisation_domain: 'Open Banking', authorisations: [], registration_id: `${id.org_number.slice(0, 8)}-OBB-${role}`,
        authority_id: '687a1c94-b360-4e04-9589-0fa5cb16451b', authority_name: 'Banco Central', authorisation_role: role, authority_code: 'BCB', status: 'Active',
      })),
      ...extra,
    };
    const software_statement = await this.signClaims(claims);
    this.software.set(softwareId, { orgId, keys: hosted });
    return { software_statement, software_id: softwareId, org_id: orgId, software_jwks_uri, claims, ...(signing_key ? { signing_key } : {}) };
  }
}
